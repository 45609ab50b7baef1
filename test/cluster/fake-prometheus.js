#!/usr/bin/env node
/**
 * A fake Prometheus for the cluster tests: the `/api/v1/query` HTTP API on 127.0.0.1, answering
 * what the running test told it to. It is the only stand-in of the cluster tests; the API
 * server, the controllers and the objects are real.
 *
 *   node test/cluster/fake-prometheus.js <port>
 *
 * Control (JSON over HTTP, same port):
 * - `PUT /-/answers` `{ "answers": [{ "match": "<regex on the query>", "result": R }], "default": R }`
 *   where R is a number (one sample with that value), "nan" (one sample whose value is NaN, as
 *   Prometheus returns 0/0) or "empty" (an empty vector: no series, e.g. no requests yet).
 *   The first answer whose `match` finds a match in the query wins; else `default` (initially "empty").
 *   The guards `(A) >= 0` and `A or on() vector(c)` are evaluated around what A is told to return.
 * - `GET /-/queries`: every query received so far, in order, with the answer given.
 * - `POST /-/reset`: no answers, default "empty", the query log emptied.
 * `vector(1)` (the "is Prometheus up" probe of Flagger) always answers 1.
 */
'use strict';
const http = require('http');

const port = Number(process.argv[2] ?? process.env.FAKE_PROMETHEUS_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: fake-prometheus.js <port>');
  process.exit(2);
}

let answers = [];
let fallback = 'empty';
let log = [];

function told(query) {
  for (const a of answers) {
    if (new RegExp(a.match).test(query)) return a.result;
  }
  return fallback;
}

/** `(X)` without its outer parentheses, when they enclose all of it. */
function unwrap(q) {
  let s = q.trim();
  for (;;) {
    if (!s.startsWith('(') || !s.endsWith(')')) return s;
    let depth = 0;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '(') depth++;
      else if (s[i] === ')') depth--;
      if (depth === 0 && i < s.length - 1) return s;
    }
    s = s.slice(1, -1).trim();
  }
}

/**
 * The answer to `query`. Two PromQL wrappers are evaluated as Prometheus does, over what the
 * test said the query inside them returns, because they are what turns "no data" into a value
 * (the library guards Flagger's queries with them):
 * - `A or on() vector(c)`: A's samples if it has any, else one sample c;
 * - `(A) >= 0`: A's samples that are >= 0 (a NaN sample compares false and is dropped).
 * Everything else is answered as told: a number, "nan" or "empty".
 */
function answerFor(query) {
  const q = unwrap(query);
  if (/^vector\(\s*1\s*\)$/.test(q)) return 1;
  const or = /^(.*)\s+or\s+on\s*\(\s*\)\s+vector\(\s*([-0-9.]+)\s*\)$/s.exec(q);
  if (or) {
    const a = answerFor(or[1]);
    return a === 'empty' ? Number(or[2]) : a;
  }
  const ge = /^(.*)\s*>=\s*0$/s.exec(q);
  if (ge) {
    const a = answerFor(ge[1]);
    return a === 'empty' || a === 'nan' || a < 0 ? 'empty' : a;
  }
  return told(q);
}

function vector(result, time) {
  if (result === 'empty') return [];
  const value = result === 'nan' ? 'NaN' : String(result);
  return [{ metric: {}, value: [time, value] }];
}

function checkResult(r) {
  if (r === 'empty' || r === 'nan' || (typeof r === 'number' && Number.isFinite(r))) return r;
  throw new Error(`a result must be a number, "nan" or "empty": ${JSON.stringify(r)}`);
}

function body(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf-8')));
    req.on('error', reject);
  });
}

function send(res, status, obj) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(obj));
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    if (url.pathname === '/-/answers' && req.method === 'PUT') {
      const spec = JSON.parse(await body(req));
      const next = (spec.answers ?? []).map((a) => {
        new RegExp(a.match); // a bad regex is the test's error, reported now
        return { match: a.match, result: checkResult(a.result) };
      });
      answers = next;
      fallback = checkResult(spec.default ?? 'empty');
      return send(res, 200, { answers, default: fallback });
    }
    if (url.pathname === '/-/queries' && req.method === 'GET') return send(res, 200, log);
    if (url.pathname === '/-/reset' && req.method === 'POST') {
      answers = [];
      fallback = 'empty';
      log = [];
      return send(res, 200, {});
    }
    if (url.pathname === '/-/healthy' || url.pathname === '/-/ready') return send(res, 200, {});
    if (url.pathname === '/api/v1/query') {
      const params = new URLSearchParams(url.search);
      if (req.method === 'POST') for (const [k, v] of new URLSearchParams(await body(req))) params.set(k, v);
      const query = params.get('query') ?? '';
      const time = params.has('time') ? Number(params.get('time')) : Date.now() / 1000;
      const result = answerFor(query);
      log.push({ at: new Date().toISOString(), query, result });
      if (log.length > 5000) log.shift();
      return send(res, 200, { status: 'success', data: { resultType: 'vector', result: vector(result, time) } });
    }
    return send(res, 404, { status: 'error', errorType: 'not_found', error: `${req.method} ${url.pathname}` });
  } catch (e) {
    return send(res, 400, { status: 'error', errorType: 'bad_data', error: String(e.message ?? e) });
  }
});

server.listen(port, '127.0.0.1', () => console.log(`fake prometheus on http://127.0.0.1:${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
