// Preloaded (NODE_OPTIONS=--require) into every node process the suite starts: as pytest-socket
// does in the suite's own processes, a connection may go to loopback only.
"use strict";
const net = require("node:net");

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function (...args) {
  // net.connect() hands on its arguments normalized into an array; a caller may pass
  // (options), (port, host) or (path).
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === "object" && first !== null ? first : { port: first, host: args[1] };
  const host = options.host ?? "localhost";
  // A local (IPC) socket has a path and no port; http's options carry a null path.
  const local = typeof first === "string" || (typeof options.path === "string" && options.port === undefined);
  if (!local && !LOOPBACK.has(host)) {
    // Failed as a refused connection fails: on the socket, after connect() returns.
    const refused = new Error(`A test tried to connect to ${host}: only loopback is allowed`);
    refused.code = "ECONNREFUSED";
    process.nextTick(() => this.destroy(refused));
    return this;
  }
  return connect.apply(this, args);
};
