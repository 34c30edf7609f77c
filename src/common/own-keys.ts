/**
 * Objects keyed by names from outside: attribute names, JSON keys, parameter names. On a plain
 * object, `object['__proto__'] = value` replaces the prototype instead of adding a key (and a
 * lookup like `table['constructor']` finds Object's own members); these helpers keep such names
 * ordinary: own data properties, and lookups of own keys only.
 */

/** Sets `key` as an own, enumerable data property, whatever its name. */
export function setOwn<T>(object: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** `Object.assign` for data: every own enumerable key of `source` becomes an own key of `target`. */
export function assignOwn<T>(target: Record<string, T>, source: Readonly<Record<string, T>>): void {
  for (const key of Object.keys(source)) setOwn(target, key, source[key]);
}

/** `table[key]` when `table` has that key itself, else undefined (never an inherited member). */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
