/**
 * Tests run against the local Huawei Cloud and servers on loopback only: a connection to any other host
 * (a real Huawei Cloud endpoint named in a test, a webhook receiver, a proxy) fails the test that opens it,
 * before a DNS lookup or a packet leaves this machine. Unix sockets (serverless-offline's invoke socket) pass.
 */
import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i;

/** The host a net.Socket#connect call names, or undefined for a Unix socket path. */
function hostOf(args: unknown[]): string | undefined {
  let first = args[0];
  // Node's http and tls pass [options, callback] as one normalised array.
  if (Array.isArray(first)) first = first[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; host?: unknown };
    if (typeof options.path === 'string') return undefined;
    return typeof options.host === 'string' ? options.host : 'localhost';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined; // a path
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (host !== undefined && !LOOPBACK.test(host)) {
    throw new Error(`tests connect to loopback only: refused a connection to ${host} (test/setup/loopback-only.ts)`);
  }
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
