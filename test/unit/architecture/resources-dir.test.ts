import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESOURCES_DIR, resourcePath } from '../../../electron/engine/resources-dir';

describe('resources dir', () => {
  it('finds the repo resources folder from the engine module, whatever the working directory', () => {
    expect(existsSync(join(RESOURCES_DIR, 'detections'))).toBe(true);
    expect(existsSync(resourcePath('intel'))).toBe(true);
    expect(existsSync(resourcePath('behaviour'))).toBe(true);
    expect(resourcePath('detections')).toBe(join(RESOURCES_DIR, 'detections'));
  });
});
