// Sequential InvokeFunction calls through the official Alibaba Cloud Node.js SDKs, for the benchmark's comparison
// with the vendor's own client. Run by tests/bench/Invoke-FcBenchmark.ps1 with NODE_PATH pointing at the packages
// that ./build.ps1 -Task Bench installed into out/bench/node.
//   node sequential.js <endpoint http://127.0.0.1:port> <calls> <warmup calls> <fc3|fc2> [<warmup ms>]
// Warm-up runs at least <warmup calls> and at least <warmup ms> (V8 optimises hot code after a while).
// Prints one JSON line per timed run: {"calls":N,"elapsedMs":T,"perCallUs":U}. With <calls> 0 it stays up and times
// the number of calls read from each stdin line (the benchmark interleaves it with the other variants that way).
'use strict';
const { Readable } = require('stream');

const [endpointArg, callsArg, warmupArg, api, warmupMsArg] = process.argv.slice(2);
const endpoint = new URL(endpointArg);
const calls = parseInt(callsArg, 10);
const warmup = Math.max(1, parseInt(warmupArg, 10));
const warmupMs = parseInt(warmupMsArg || '2000', 10);
const payload = Buffer.from('{"n":1}');
const accessKeyId = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID || 'bench-key-id';
const accessKeySecret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET || 'bench-key-secret';

function fc3Invoker() {
  const sdk = require('@alicloud/fc20230330');
  const { $OpenApiUtil } = require('@alicloud/openapi-core');
  const client = new sdk.default(new $OpenApiUtil.Config({ accessKeyId, accessKeySecret, endpoint: endpoint.host, protocol: 'http' }));
  return async () => {
    const res = await client.invokeFunction('bench', new sdk.InvokeFunctionRequest({ body: Readable.from([payload]) }));
    return readAll(res.body);
  };
}

function fc2Invoker() {
  const sdk = require('@alicloud/fc-open20210406');
  const { Config } = require('@alicloud/openapi-client');
  const client = new sdk.default(new Config({ accessKeyId, accessKeySecret, endpoint: endpoint.host, protocol: 'http' }));
  return async () => {
    const res = await client.invokeFunction('svc', 'bench', new sdk.InvokeFunctionRequest({ body: payload }));
    return res.body;
  };
}

async function readAll(body) {
  if (Buffer.isBuffer(body)) return body;
  const chunks = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function run(invoke, n) {
  for (let i = 0; i < n; i++) {
    const body = await invoke();
    if (body.length !== payload.length) throw new Error(`call ${i}: ${body.length} bytes back`);
  }
}

function report(n, elapsedMs) {
  console.log(JSON.stringify({ calls: n, elapsedMs, perCallUs: elapsedMs * 1000 / n }));
}

async function timed(invoke, n) {
  const started = process.hrtime.bigint();
  await run(invoke, n);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

(async () => {
  const invoke = api === 'fc2' ? fc2Invoker() : fc3Invoker();
  const warming = Date.now();
  do await run(invoke, warmup); while (Date.now() - warming < warmupMs);
  if (calls > 0) { report(calls, await timed(invoke, calls)); return; }
  // calls = 0: long-lived; each stdin line is a number of calls to time, each answer one JSON line; EOF ends it.
  console.log(JSON.stringify({ ready: true }));
  const lines = require('readline').createInterface({ input: process.stdin });
  for await (const line of lines) {
    const n = parseInt(line, 10);
    if (n > 0) report(n, await timed(invoke, n));
  }
})().catch(err => { console.error(err && err.stack || err); process.exit(1); });
