/**
 * Tables keyed by names that come from outside (JSON keys, attribute names, path segments). Plain
 * assignment of `__proto__` would swap the prototype, and a plain lookup of `constructor` finds
 * Object's member: these keep every name an ordinary own key.
 */

export function setOwn<T>(table: Record<string, T>, key: string, value: T): void {
  if (key !== '__proto__') table[key] = value;
  else Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
}

export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  if (!Object.hasOwn(table, key)) return undefined;
  return table[key];
}
