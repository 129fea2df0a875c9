// Preloaded (node --expose-gc --import) into a process whose memory bench/statement.ts measures: samples
// the V8 heap every few milliseconds (the peak, garbage included) and, with --expose-gc, collects every
// 250 ms and keeps the largest heap left after a collection (what the process really holds). At exit it
// prints both on stderr: `HEAP_PEAK_BYTES <peak> <retained>`.
let peak = 0;
let retained = 0;
const sample = () => {
  const used = process.memoryUsage().heapUsed;
  if (used > peak) peak = used;
};
setInterval(sample, 5).unref();
if (typeof globalThis.gc === 'function') {
  setInterval(() => {
    globalThis.gc();
    const used = process.memoryUsage().heapUsed;
    if (used > retained) retained = used;
  }, 250).unref();
}
process.on('exit', () => {
  sample();
  process.stderr.write(`HEAP_PEAK_BYTES ${peak} ${retained}\n`);
});
