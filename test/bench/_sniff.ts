import { benchCase } from './dataset';
import { sniffFile } from '../../electron/engine/sources/sniff';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
const c = await benchCase();
const all = [...c.files.cloudtrail, ...c.files.vpcflow, ...c.files.dns];
const sig = new AbortController().signal;
for (let r = 0; r < 2; r++) {
  let t = performance.now(); let c0 = process.cpuUsage();
  const q = [...all];
  await Promise.all(Array.from({ length: 4 }, async () => { for (let f = q.shift(); f; f = q.shift()) await sniffFile(f, f, sig); }));
  let cu = process.cpuUsage(c0);
  console.log('sniff+hash', ((performance.now() - t) / 1000).toFixed(2), 'cpu', ((cu.user + cu.system) / 1e6).toFixed(2));
  t = performance.now(); c0 = process.cpuUsage();
  const q2 = [...all];
  await Promise.all(Array.from({ length: 4 }, async () => { for (let f = q2.shift(); f; f = q2.shift()) createHash('sha256').update(await readFile(f)).digest('hex'); }));
  cu = process.cpuUsage(c0);
  console.log('hash only', ((performance.now() - t) / 1000).toFixed(2), 'cpu', ((cu.user + cu.system) / 1e6).toFixed(2));
}
