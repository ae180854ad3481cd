import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { decodePngMask, decodePngRgb, encodePngGray, encodePngRgb, readPngMask, readPngRgb, writePngGray, writePngRgb } from '../../lib/io/images';
import { InputError } from '../../lib/util/errors';
import { listFiles, makeTempDir, removeTempDir } from '../helpers/fixtures';

function assertInputError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

describe('io/images', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  it('round-trips RGB frames and masks through PNG files exactly', () => {
    const width = 7;
    const height = 5;
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
    const mask = Uint8Array.from({ length: width * height }, (_, i) => (i % 3 === 0 ? 255 : 0));
    writePngRgb(path.join(dir, 'f.png'), { width, height, data: rgb });
    writePngGray(path.join(dir, 'm.png'), { width, height, data: mask });
    assert.deepEqual(readPngRgb(path.join(dir, 'f.png')), { width, height, data: rgb });
    assert.deepEqual(readPngMask(path.join(dir, 'm.png')), { width, height, data: mask });
    assert.deepEqual(listFiles(dir), ['f.png', 'm.png']);
    // The files are ordinary 8-bit RGB and greyscale PNGs.
    const f = PNG.sync.read(fs.readFileSync(path.join(dir, 'f.png')));
    const m = PNG.sync.read(fs.readFileSync(path.join(dir, 'm.png')));
    assert.equal(f.colorType, 2);
    assert.equal(m.colorType, 0);
    assert.equal(f.depth, 8);
  });

  it('thresholds masks saved as 0/1, grey or RGB, and reads grey and RGBA images as RGB', () => {
    const width = 4;
    const height = 1;
    // An RGBA PNG: pixels black, white, mid-grey just above and just below the threshold.
    const png = new PNG({ width, height });
    const values = [0, 255, 128, 127];
    values.forEach((v, i) => png.data.set([v, v, v, 200], 4 * i));
    const bytes = PNG.sync.write(png);
    assert.deepEqual(Array.from(decodePngMask(bytes, 'm.png').data), [0, 255, 255, 0]);
    assert.deepEqual(Array.from(decodePngMask(bytes, 'm.png', 200).data), [0, 255, 0, 0]);
    assert.deepEqual(Array.from(decodePngRgb(bytes, 'f.png').data), [0, 0, 0, 255, 255, 255, 128, 128, 128, 127, 127, 127]);
    // A 0/1 mask needs threshold 1.
    const zeroOne = encodePngGray({ width, height, data: Uint8Array.from([0, 1, 1, 0]) });
    assert.deepEqual(Array.from(decodePngMask(zeroOne, 'm.png', 1).data), [0, 255, 255, 0]);
    // Grey input becomes RGB with equal channels.
    assert.deepEqual(Array.from(decodePngRgb(zeroOne, 'g.png').data), [0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('refuses JPEG clearly, by name and by content', () => {
    const jpg = path.join(dir, '0001.jpg');
    fs.writeFileSync(jpg, Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
    assertInputError(() => readPngRgb(jpg), '0001.jpg', 'JPEG images are not supported');
    assertInputError(() => readPngMask(jpg), 'JPEG');
    const disguised = path.join(dir, '0001.png');
    fs.copyFileSync(jpg, disguised);
    assertInputError(() => readPngRgb(disguised), '0001.png', 'JPEG');
    assertInputError(() => writePngRgb(path.join(dir, 'x.jpg'), { width: 1, height: 1, data: new Uint8Array(3) }), 'only PNG');
    assert.ok(!fs.existsSync(path.join(dir, 'x.jpg')));
  });

  it('refuses broken files and inconsistent sizes', () => {
    const bad = path.join(dir, 'bad.png');
    fs.writeFileSync(bad, 'not an image');
    assertInputError(() => readPngRgb(bad), 'bad.png', 'not a PNG');
    const good = encodePngRgb({ width: 3, height: 3, data: new Uint8Array(27) });
    fs.writeFileSync(bad, good.subarray(0, good.length - 20));
    assertInputError(() => readPngRgb(bad), 'bad.png', 'cannot decode');
    assertInputError(() => readPngRgb(path.join(dir, 'none.png')), 'none.png', 'cannot read');
    assertInputError(() => encodePngRgb({ width: 3, height: 3, data: new Uint8Array(26) }, 'f.png'), 'f.png', 'needs 27 bytes');
    assertInputError(() => encodePngGray({ width: 0, height: 3, data: new Uint8Array(0) }, 'm.png'), 'invalid image size');
  });
});
