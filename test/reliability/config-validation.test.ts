/**
 * Issue #12, class 2: configs are validated as a whole at load. Each case names the file, the key
 * path and (for unknown keys) the nearest valid key; none is accepted silently.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperimentConfig, makeTrainConfig } from '../../lib/training/config';
import '../../lib/scenes/models/registry'; // registers the scene models' `model:` options
import { InputError } from '../../lib/util/errors';
import { makeTempDir, removeTempDir } from '../helpers/fixtures';

const CONFIGS = path.join(__dirname, '..', '..', 'notebooks', 'configs');

describe('reliability: configs validated as a whole (issue #12)', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('avlab-cfg-');
  });
  afterEach(() => removeTempDir(dir));

  function rejects(yaml: string, ...parts: string[]): void {
    const f = path.join(dir, 'c.yaml');
    fs.writeFileSync(f, yaml);
    assert.throws(
      () => loadExperimentConfig(f),
      (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.ok(e.message.includes(f), `${e.message} lacks the file`);
        for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
        return true;
      },
    );
  }

  it('loads every config in notebooks/configs', () => {
    const files = fs.readdirSync(CONFIGS).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length > 0);
    for (const f of files) loadExperimentConfig(path.join(CONFIGS, f));
  });

  it('rejects unknown keys anywhere, naming the key path and the nearest valid key', () => {
    rejects('train:\n  plateau:\n    factr: 0.5\n', '[train.plateau.factr]', 'unknown key "train.plateau.factr"', 'did you mean "train.plateau.factor"');
    rejects('train:\n  weightDecy: 0.1\n', '[train.weightDecy]', 'did you mean "train.weightDecay"');
    rejects('model:\n  hiden: 256\n', '[model.hiden]', 'did you mean "model.hidden"');
    rejects('trian:\n  lr: 0.1\n', '[trian]', 'did you mean "train"');
  });

  it('checks types and ranges at load: factor in (0,1), threshold a number, weightDecay a number, lr finite', () => {
    rejects('train:\n  plateau:\n    factor: 10\n', '[train.plateau.factor]', 'factor must be a finite number in (0, 1), got 10');
    rejects('train:\n  plateau:\n    threshold: abc\n', '[train.plateau.threshold]', 'got "abc"');
    rejects('train:\n  weightDecay: true\n', '[train.weightDecay]', 'got true');
    rejects('train:\n  lr: .inf\n', '[train.lr]', 'lr must be a finite number > 0, got Infinity');
    rejects('train:\n  batchSize: 12.5\n', '[train.batchSize]', 'integer');
    rejects('model:\n  dropout: 1.5\n', '[model.dropout]', 'dropout must be');
    rejects('model:\n  lateWeighting: nope\n', '[model.lateWeighting]', '"scalar"');
    assert.throws(() => makeTrainConfig({ lr: Infinity }), /lr must be a finite number > 0, got Infinity/);
  });

  it('refuses a model section that overrides the data’s dimension or class count', () => {
    rejects('model:\n  dim: 64\n', '[model.dim]', 'the data decides it');
    rejects('model:\n  hidden: 256\n  classes: 3\n', '[model.classes]', 'the data decides it');
  });
});
