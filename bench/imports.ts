/**
 * CSV import throughput and memory (issue 19 part 3): importCsv over a generated
 * file of ROWS rows (default 100,000; 1 in 100 bad: a card number or a bad
 * amount), streamed in 64 KB chunks and never held whole, publishing to a
 * counting fake bus (no EventBridge, no S3, no DynamoDB: parse + validate +
 * batch + checkpoint + result lines only; the result lines are counted, not kept).
 *
 *   npx tsx --expose-gc --import ./bench/heap-sampler.mjs bench/imports.ts [rows]
 *
 * Prints rows/s and the peak RSS; heap-sampler.mjs prints the heap peak and retained heap at exit.
 */
import { IMPORT_HEADER } from '../core/imports/columns';
import { importCsv } from '../core/imports/importer';

const ROWS = Number(process.argv[2] ?? 100_000);
const CHUNK = 64 * 1024;

function line(n: number): string {
  if (n % 100 === 37)
    return `pay_bench_${n},wal_1,mer_1,12.50,EUR,pm_card_visa,,bad amount,2026-12-01T00:00:00Z`;
  if (n % 100 === 73)
    return `pay_bench_${n},wal_1,mer_1,1250,EUR,pm_card_visa,,card 4242424242424242,2026-12-01T00:00:00Z`;
  return `pay_bench_${n},wal_${n % 500},mer_${n % 20},${100 + (n % 50_000)},EUR,pm_card_visa,,"Payroll, row ${n}",2026-12-01T00:00:00Z`;
}

/** The file, generated chunk by chunk (each pass regenerates it, as a second S3 GetObject would). */
async function* file(): AsyncGenerator<Buffer> {
  let buffer = `${IMPORT_HEADER}\n`;
  for (let n = 1; n <= ROWS; n += 1) {
    buffer += `${line(n)}\n`;
    if (buffer.length >= CHUNK) {
      yield Buffer.from(buffer, 'utf8');
      buffer = '';
    }
  }
  if (buffer !== '') yield Buffer.from(buffer, 'utf8');
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 5);
let published = 0;
let putEventsCalls = 0;
let resultLines = 0;
let checkpoint = 0;
const started = performance.now();
const summary = await importCsv({
  open: file,
  publish: async (payments) => {
    putEventsCalls += 1;
    published += payments.length;
  },
  alreadyRequested: async () => false,
  checkpoint: {
    read: async () => checkpoint,
    write: async (row) => {
      checkpoint = row;
    },
  },
  result: async () => {
    resultLines += 1;
  },
});
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
console.log(JSON.stringify(summary));
console.log(
  `rows ${ROWS}  published ${published} in ${putEventsCalls} PutEvents  result lines ${resultLines}  ` +
    `${seconds.toFixed(2)} s  ${Math.round(ROWS / seconds)} rows/s (both passes)  peak RSS ${(peakRss / 2 ** 20).toFixed(1)} MB  node ${process.version}`,
);
