import { benchCase } from './dataset';
const c = await benchCase(undefined, (l) => console.log(l));
console.log(c.dir, c.generated.counts, c.generatedSeconds, Object.fromEntries(Object.entries(c.files).map(([k, v]) => [k, v.length])));
