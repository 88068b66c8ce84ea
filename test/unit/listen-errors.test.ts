import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyListenFailure, listenFailureText, namingTheFlag } from '../../src/contract/listen-errors.js';

describe('listen failures: one classification for every runtime', () => {
  it("Node's codes, Deno's error names and Bun's messages name the same failures", () => {
    const cases: [unknown, number, string | undefined][] = [
      [{ code: 'EADDRINUSE' }, 8080, 'port-in-use'],
      [{ code: 'EADDRINUSE' }, 0, 'no-free-port'],
      [{ name: 'AddrInUse', message: 'Address already in use (os error 98)' }, 8080, 'port-in-use'],
      [new Error('Failed to start server. Is port 8080 in use?'), 8080, 'port-in-use'],
      [{ code: 'EACCES' }, 80, 'privileged-port'],
      [{ name: 'PermissionDenied', message: 'Permission denied (os error 13)' }, 443, 'privileged-port'],
      [{ code: 'EACCES' }, 8080, undefined],
      [{ code: 'ENOTFOUND' }, 8080, 'host-not-found'],
      [{ code: 'EAI_AGAIN' }, 8080, 'host-not-found'],
      [{ code: 'EADDRNOTAVAIL' }, 8080, 'address-not-available'],
      [{ name: 'AddrNotAvailable' }, 8080, 'address-not-available'],
      [new Error('something else'), 8080, undefined],
      [null, 8080, undefined],
    ];
    for (const [err, port, kind] of cases) assert.equal(classifyListenFailure(err, port), kind, JSON.stringify(err));
  });

  it("the text names the flags that chose host and port: serve's by default, an endpoint's when given", () => {
    assert.equal(listenFailureText('host-not-found', 'nosuch', 0).message, '--host nosuch does not resolve to an address');
    const metrics = { host: '--metrics-host', port: '--metrics-port' };
    const host = listenFailureText('host-not-found', 'nosuch', 0, 'ENOTFOUND', metrics);
    assert.equal(namingTheFlag(host), '--metrics-host nosuch does not resolve to an address (ENOTFOUND)');
    const port = listenFailureText('port-in-use', '127.0.0.1', 9464, '', metrics);
    assert.equal(namingTheFlag(port), '--metrics-port: port 9464 on 127.0.0.1 is already in use');
    assert.match(port.hint, /choose another --metrics-port/);
  });
});
