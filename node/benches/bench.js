// How fast the package answers and what its drivers add, against what a
// Node user would write instead. Each way is checked first to give the same
// answers; the ways take turns within each round, so that a busy neighbour
// slows them alike, and the figures are medians over the rounds.
// Run: `node benches/bench.js` after `npm run build`.
"use strict";
const http = require("node:http");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const axios = require("axios");
const t = require("..");
const { triageFetch } = require("../fetch.js");
const { install } = require("../axios.js");

const ROOT = path.resolve(__dirname, "..", "..");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Microseconds a call of each way (sync), the ways taking turns. */
function perCall(ways, calls, rounds = 15) {
  const runs = ways.map(() => []);
  for (let r = 0; r < rounds; r += 1) {
    ways.forEach((fn, i) => {
      const start = process.hrtime.bigint();
      for (let n = 0; n < calls; n += 1) fn();
      runs[i].push(Number(process.hrtime.bigint() - start) / 1000 / calls);
    });
  }
  return runs.map(median);
}

/**
 * Microseconds a call of two async ways, and what the second adds: the
 * medians over the rounds of each way and of the difference in each round.
 */
async function pairedAsync([bare, driven], calls, rounds = 41) {
  const runs = [[], []];
  for (let r = 0; r < rounds; r += 1) {
    for (const [i, fn] of [bare, driven].entries()) {
      const start = process.hrtime.bigint();
      for (let n = 0; n < calls; n += 1) await fn();
      runs[i].push(Number(process.hrtime.bigint() - start) / 1000 / calls);
    }
  }
  return [median(runs[0]), median(runs[1]), median(runs[1].map((d, i) => d - runs[0][i]))];
}

function answers() {
  // Questions a service asks: a status and an error type, as the suite asks them.
  const { cases } = JSON.parse(fs.readFileSync(path.join(ROOT, "conformance", "queries.json"), "utf8"));
  const pairs = new Map();
  for (const c of cases) {
    if ("status" in c.query && "type" in c.query) {
      pairs.set(`${c.query.status} ${c.query.type}`, { status: c.query.status, type: c.query.type });
    }
  }
  const sample = [...pairs.values()];
  // What a user writes instead: an object from "status type" to the answer,
  // filled once at start.
  const table = {};
  for (const q of sample) table[`${q.status} ${q.type}`] = t.diagnose(q);
  const lookup = (q) => table[`${q.status} ${q.type}`];
  for (const q of sample) assert.deepEqual(lookup(q), t.diagnose(q));
  // A question the package does not keep (a message longer than it keeps):
  // each call goes through the addon.
  const long = "x".repeat(300);
  const unkept = sample.filter((q) => t.diagnose({ ...q, message: long }).rule === lookup(q).rule);
  const unkeptQs = unkept.map((q) => ({ ...q, message: long }));
  const [pkg, bare] = perCall([() => sample.forEach((q) => t.diagnose(q)), () => sample.forEach(lookup)], 2000).map(
    (us) => (us * 1000) / sample.length,
  );
  const [fresh] = perCall([() => unkeptQs.forEach((q) => t.diagnose(q))], 500).map((us) => (us * 1000) / unkeptQs.length);
  console.log(
    `diagnose({ status, type }): ${pkg.toFixed(0)} ns a call; an object lookup: ${bare.toFixed(0)} ns, ratio ` +
      `${(pkg / bare).toFixed(1)}x (target: within 3x; ${sample.length} questions, same answers); ` +
      `a question not kept, through the addon each time: ${fresh.toFixed(0)} ns (${unkeptQs.length} questions)`,
  );
}

async function drivers() {
  const body = JSON.stringify({ id: "c-1", lifecycle: "Active" });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/v1/cases/c-1`;
  const driven = triageFetch(globalThis.fetch, {});
  const agent = new http.Agent({ keepAlive: true });
  const bareAxios = axios.create({ httpAgent: agent });
  const drivenAxios = install(axios.create({ httpAgent: agent }), {});
  const viaFetch = (f) => async () => (await f(url)).json();
  const viaAxios = (a) => async () => (await a.get(url)).data;
  for (const way of [viaFetch(globalThis.fetch), viaFetch(driven), viaAxios(bareAxios), viaAxios(drivenAxios)]) {
    assert.deepEqual(await way(), JSON.parse(body));
  }
  const report = (what, [bare, through, extra]) => {
    const bound = Math.max(0.05 * bare, 10);
    console.log(
      `${what}: bare ${bare.toFixed(1)} us, driven ${through.toFixed(1)} us a request: +${extra.toFixed(1)} us ` +
        `(${((extra / bare) * 100).toFixed(1)} %), ${extra <= bound ? "within" : "OVER"} the bound of ${bound.toFixed(1)} us`,
    );
  };
  report("fetch (loopback)", await pairedAsync([viaFetch(globalThis.fetch), viaFetch(driven)], 200));
  report("axios (loopback)", await pairedAsync([viaAxios(bareAxios), viaAxios(drivenAxios)], 200));
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
}

answers();
drivers().catch((e) => {
  console.error(e);
  process.exit(1);
});
