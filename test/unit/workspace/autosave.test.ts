import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LoupeError } from '../../../shared/errors';
import { createAutosaver } from '../../../electron/engine/workspace/autosave';
import { closeWorkspace, createWorkspace, type Workspace } from '../../../electron/engine/workspace/workspace';
import { diskFullAfterHalf } from './failing-fs';

let root: string;
let ws: Workspace;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'loupe-autosave-'));
  ws = await createWorkspace(join(root, 'c'), 'Case');
});
afterEach(async () => {
  vi.useRealTimers();
  await closeWorkspace(ws);
  rmSync(root, { recursive: true, force: true });
});

const onDisk = () => JSON.parse(readFileSync(join(ws.dir, 'case.json'), 'utf8')) as { name: string };

describe('autosave', () => {
  it('writes once after changes stop, with the latest state', async () => {
    vi.useFakeTimers();
    const saved: string[] = [];
    const auto = createAutosaver(ws, { delayMs: 1000, onSaved: (s) => saved.push(s.name) });
    auto.schedule({ ...ws.state, name: 'one' });
    await vi.advanceTimersByTimeAsync(500);
    auto.schedule({ ...ws.state, name: 'two' });
    await vi.advanceTimersByTimeAsync(999);
    expect(saved).toEqual([]);
    expect(auto.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    vi.useRealTimers();
    // The timer fired under fake time; wait for the save it started, not for wall-clock time.
    await vi.waitFor(() => expect(saved).toEqual(['two']), { timeout: 5000, interval: 5 });
    expect(onDisk().name).toBe('two');
    expect(auto.pending).toBe(false);
  });

  it('keeps the state after a failed save and writes it on the next flush', async () => {
    const errors: LoupeError[] = [];
    let full = true;
    const failing = diskFullAfterHalf((p) => full && p.includes('case.json.') && !p.includes('.bak'));
    const auto = createAutosaver(ws, { delayMs: 60_000, fs: failing, onError: (e) => errors.push(e) });
    auto.schedule({ ...ws.state, name: 'precious' });
    expect(await auto.flush()).toBeNull();
    expect(errors[0]?.message).toMatch(/disk is full/);
    expect(auto.pending).toBe(true);
    expect(onDisk().name).toBe('Case');
    full = false;
    await auto.dispose();
    expect(onDisk().name).toBe('precious');
  });
});
