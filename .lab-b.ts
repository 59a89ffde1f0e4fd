import { Database } from './electron/engine/db/database';
import { migrate } from './electron/engine/db/schema';
import { ingestPaths } from './electron/engine/sources/ingest';
const db = await Database.open({ path: ':memory:' });
await migrate(db);
const t0 = Date.now();
const ctx = { signal: new AbortController().signal, report: (p: any) => { console.log(Date.now() - t0, p.phase ?? '', p.message); } };
const r = await ingestPaths(db, process.argv.slice(2), ctx);
console.log(r.events, r.filesLoaded, Date.now() - t0);
