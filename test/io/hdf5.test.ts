import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Hdf5Reader, listHdf5, readHdf5Dataset, withHdf5, writeHdf5 } from '../../lib/io/hdf5';
import { InputError } from '../../lib/util/errors';
import { listFiles, makeTempDir, removeTempDir } from '../helpers/fixtures';

async function assertRejectsInput(p: Promise<unknown>, ...parts: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const s of parts) assert.ok(e.message.includes(s), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(s)}`);
    return true;
  });
}

describe('io/hdf5', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  it('writes nested float datasets and lists and reads them back', async () => {
    const file = path.join(dir, 'a.hdf5');
    await writeHdf5(
      file,
      [
        { key: '0/audio/clip-a', shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
        { key: '/0/audio/clip-b', shape: [1, 2], data: Float32Array.from([-1, 0.5]) },
        { key: 'top', shape: [2], data: Float64Array.from([0.1, 1e-300]) },
      ],
      { groups: ['9/empty'] },
    );
    assert.deepEqual(listFiles(dir), ['a.hdf5']);
    const listing = await listHdf5(file);
    assert.deepEqual(listing.groups.sort(), ['0', '0/audio', '9', '9/empty']);
    assert.deepEqual(
      listing.datasets.map((d) => [d.path, d.shape, d.dtype]),
      [
        ['0/audio/clip-a', [3, 2], '<f'],
        ['0/audio/clip-b', [1, 2], '<f'],
        ['top', [2], '<d'],
      ],
    );
    assert.deepEqual(listing.others, []);
    assert.deepEqual(await readHdf5Dataset(file, '0/audio/clip-a'), { shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    const top = await readHdf5Dataset(file, 'top');
    assert.deepEqual(top.shape, [2]);
    assert.deepEqual(top.data, Float32Array.from([0.1, 0])); // float64 narrowed to float32
  });

  it('reads only the first rows when asked', async () => {
    const file = path.join(dir, 'rows.hdf5');
    await writeHdf5(file, [{ key: 'x', shape: [4, 2], data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) }]);
    await withHdf5(file, (r) => {
      assert.deepEqual(r.shape('x'), [4, 2]);
      assert.deepEqual(r.readFloat32('x', 2), { shape: [2, 2], data: Float32Array.from([0, 1, 2, 3]) });
      assert.deepEqual(r.readFloat32('x', 9).shape, [4, 2]);
    });
  });

  it('closes the file even when the callback throws', async () => {
    const file = path.join(dir, 'c.hdf5');
    await writeHdf5(file, [{ key: 'x', shape: [1], data: Float32Array.from([1]) }]);
    let reader: Hdf5Reader | undefined;
    await assert.rejects(
      withHdf5(file, (r) => {
        reader = r;
        throw new Error('boom');
      }),
      /boom/,
    );
    // A closed reader can no longer read (the handle is gone); the file opens again normally.
    assert.throws(() => reader!.readFloat32('x'));
    assert.deepEqual((await readHdf5Dataset(file, 'x')).data, Float32Array.from([1]));
  });

  it('names the file and the problem for missing, non-HDF5 and wrong keys', async () => {
    await assertRejectsInput(listHdf5(path.join(dir, 'nope.hdf5')), 'nope.hdf5', 'file not found');
    const junk = path.join(dir, 'junk.hdf5');
    fs.writeFileSync(junk, 'this is not an HDF5 file at all'.repeat(40));
    await assertRejectsInput(listHdf5(junk), 'junk.hdf5', 'not an HDF5 file');
    await assertRejectsInput(listHdf5(dir), 'is not a regular file');
    const file = path.join(dir, 'k.hdf5');
    await writeHdf5(file, [{ key: 'g/x', shape: [1], data: Float32Array.from([1]) }]);
    await assertRejectsInput(readHdf5Dataset(file, 'g/y'), 'k.hdf5 [g/y]', 'no such dataset');
    await assertRejectsInput(readHdf5Dataset(file, 'g'), 'k.hdf5 [g]', 'is not a dataset');
  });

  it('leaves no file behind when a dataset is invalid', async () => {
    const file = path.join(dir, 'bad.hdf5');
    function* specs() {
      yield { key: 'ok', shape: [2], data: Float32Array.from([1, 2]) };
      yield { key: 'bad', shape: [3], data: Float32Array.from([1, 2]) };
    }
    await assertRejectsInput(writeHdf5(file, specs()), 'bad.hdf5 [bad]', 'does not match 2 values');
    await assertRejectsInput(writeHdf5(file, [{ key: 'a//b', shape: [1], data: new Float32Array(1) }]), 'invalid HDF5 path');
    assert.deepEqual(listFiles(dir), []);
  });
});
