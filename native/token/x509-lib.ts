/**
 * The one place that loads @peculiar/x509. Its dependency tsyringe refuses to load
 * unless a Reflect metadata API exists (it expects the `reflect-metadata` polyfill,
 * which is not among our dependencies). We install the three functions tsyringe uses,
 * backed by a WeakMap, only when they are missing, then load the library with require
 * so the order is guaranteed. Import `x509` from here; never import '@peculiar/x509'
 * for its values anywhere else (type-only imports are fine).
 */
import { createRequire } from 'node:module';
import type * as X509 from '@peculiar/x509';

type MetadataKey = unknown;
type PropertyKey = string | symbol | undefined;

interface ReflectMetadata {
  defineMetadata(key: MetadataKey, value: unknown, target: object, property?: PropertyKey): void;
  getOwnMetadata(key: MetadataKey, target: object, property?: PropertyKey): unknown;
  getMetadata(key: MetadataKey, target: object, property?: PropertyKey): unknown;
}

function installReflectMetadata(): void {
  const reflect = Reflect as unknown as Partial<ReflectMetadata>;
  if (typeof reflect.getMetadata === 'function') return;
  const store = new WeakMap<object, Map<PropertyKey, Map<MetadataKey, unknown>>>();
  const own = (key: MetadataKey, target: object, property: PropertyKey): unknown =>
    store.get(target)?.get(property)?.get(key);
  reflect.defineMetadata = (key, value, target, property) => {
    let byProperty = store.get(target);
    if (!byProperty) store.set(target, (byProperty = new Map()));
    let byKey = byProperty.get(property);
    if (!byKey) byProperty.set(property, (byKey = new Map()));
    byKey.set(key, value);
  };
  reflect.getOwnMetadata = (key, target, property) => own(key, target, property);
  reflect.getMetadata = (key, target, property) => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const value = own(key, t, property);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

installReflectMetadata();
const require = createRequire(import.meta.url);

/** The @peculiar/x509 namespace, loaded after the metadata shim. */
export const x509 = require('@peculiar/x509') as typeof X509;
