/**
 * Child process for the cross-process lock test: opens the case given as argv[2] for writing,
 * says so on stdout, and holds it until killed (the test kills it hard to leave a stale lock).
 */
import { openWorkspace } from '../../../electron/engine/workspace/workspace';

const dir = process.argv[2];
if (!dir) throw new Error('usage: hold-case.ts <case dir>');
await openWorkspace(dir);
process.stdout.write(`locked ${process.pid}\n`);
process.stdin.resume();
