import { describe, expect, it } from 'vitest';
import { allowedHostsOption, hostCheck } from '../src/common/host-check.js';

/** Which Host headers a server answers to, by where it listens and what it was told to allow. */

describe('hostCheck', () => {
  it('answers the loopback names and the host it listens on, with or without a port, and nothing else', () => {
    const check = hostCheck('192.168.1.5', []);
    for (const host of ['localhost', 'localhost:1', '127.0.0.1', '[::1]:4318', 'app.localhost', '192.168.1.5', '192.168.1.5:4318']) {
      expect(check(host), host).toBe(true);
    }
    for (const host of [undefined, '', 'attacker.example', '10.1.2.3', '192.168.1.50', 'localhost.attacker.example', 'x@localhost', '192.168.1.5/x']) {
      expect(check(host), String(host)).toBe(false);
    }
    expect(hostCheck('otel-gateway', [])('OTEL-GATEWAY:4318')).toBe(true);
  });

  it('answers any IP address when it listens on all of them, but no name', () => {
    for (const listen of ['0.0.0.0', '::']) {
      const check = hostCheck(listen, []);
      expect(['10.1.2.3:4318', '[fd00::7]:4318', '172.17.0.2'].map(check), listen).toEqual([true, true, true]);
      expect(['otel-gateway:4318', 'attacker.example'].map(check), listen).toEqual([false, false]);
    }
    expect(hostCheck('127.0.0.1', [])('10.1.2.3')).toBe(false);
  });

  it('answers the allowed names, a leading dot allowing every name under a domain', () => {
    const check = hostCheck('127.0.0.1', ['otel-gateway', '.svc.example', '10.0.0.9']);
    for (const host of ['otel-gateway', 'otel-gateway:4318', 'svc.example', 'gw.ns.svc.example:80', '10.0.0.9:4318']) {
      expect(check(host), host).toBe(true);
    }
    for (const host of ['otel-gateway.attacker.example', 'evilsvc.example', 'svc.example.attacker.example', '10.0.0.8']) {
      expect(check(host), host).toBe(false);
    }
  });
});

describe('allowedHostsOption', () => {
  it('takes names and addresses, and refuses anything with a scheme, port or path', () => {
    expect(allowedHostsOption(undefined)).toEqual([]);
    expect(allowedHostsOption(['gw', '.svc.example', '10.0.0.9', '[fd00::7]', 'fd00::7'])).toHaveLength(5);
    for (const bad of [['http://gw'], ['gw:4318'], ['gw/x'], [''], ['.'], [7], 'gw']) {
      expect(() => allowedHostsOption(bad), JSON.stringify(bad)).toThrow(TypeError);
    }
  });
});
