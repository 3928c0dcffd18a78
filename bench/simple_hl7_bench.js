// simple-hl7's parser on the same decoded messages as hl7_parse_bench (one core).
//   node simple_hl7_bench.js MESSAGES.json [SECONDS]
const fs = require('fs');
const hl7 = require('simple-hl7');
const messages = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const seconds = Number(process.argv[3] || 3);
const parser = new hl7.Parser();
let n = 0, sink = 0;
const start = process.hrtime.bigint();
let elapsed = 0;
do {
  for (const m of messages) sink += parser.parse(m).segments.length;
  n += messages.length;
  elapsed = Number(process.hrtime.bigint() - start) / 1e9;
} while (elapsed < seconds);
console.log(JSON.stringify({ messages: messages.length, parse_per_s: n / elapsed, sink }));
