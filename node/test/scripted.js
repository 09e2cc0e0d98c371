// A fake Debitura on 127.0.0.1 that answers as a scenario of
// conformance/calls.json scripts: it reads each request whole, records its
// method, path, Idempotency-Key and arrival time, and answers with the
// script's next entry (the last repeating): a response, or a connection
// closed without an answer. A stalled body declares more bytes than it
// sends and is held until the client closes its end.
"use strict";
const net = require("node:net");

/** How many more bytes a stalled body declares than it sends. */
const STALLED_MORE = 1024;

function reply(entry) {
  const body = Buffer.from(entry.body ?? "", "utf8");
  let head = `HTTP/1.1 ${entry.status} Scripted\r\n`;
  for (const [name, value] of Object.entries(entry.headers ?? {})) head += `${name}: ${value}\r\n`;
  const length = body.length + (entry.stall ? STALLED_MORE : 0);
  head += `content-length: ${length}\r\nconnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

/** Serves `script` from entry `skip` on, on `port` (a free one when 0). */
async function fake(script, { skip = 0, port = 0 } = {}) {
  const received = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let data = Buffer.alloc(0);
    let done = false;
    socket.on("data", (chunk) => {
      if (done) return;
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = data.subarray(0, end).toString("latin1").split("\r\n");
      const [method, path] = lines[0].split(" ");
      const headers = {};
      for (const line of lines.slice(1)) {
        const at = line.indexOf(":");
        headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      const length = Number(headers["content-length"] ?? 0);
      if (data.length - end - 4 < length) return;
      done = true;
      const n = received.length;
      received.push({ method, path, key: headers["idempotency-key"] ?? null, at: performance.now() / 1000 });
      const entry = script.length ? script[Math.min(n + skip, script.length - 1)] : null;
      if (entry === null || entry.connection === "closed") {
        socket.destroy();
        return;
      }
      if (entry.stall) socket.write(reply(entry));
      else socket.end(reply(entry));
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const bound = server.address().port;
  return {
    port: bound,
    base: `http://127.0.0.1:${bound}`,
    received,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on, for now. */
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

module.exports = { fake, freePort };
