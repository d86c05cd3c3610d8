// libsodium (the sumo build: it has Argon2id), loaded once.
import sodiumModule from 'libsodium-wrappers-sumo';

export type Sodium = typeof sodiumModule;
let loaded: Sodium | null = null;

export async function ready(): Promise<Sodium> {
  await sodiumModule.ready;
  loaded = sodiumModule;
  return loaded;
}

// The loaded library; ready() must have been awaited.
export function sodium(): Sodium {
  if (!loaded) throw new Error('libsodium is not loaded yet: await ready() first');
  return loaded;
}

export function blake2b256(data: Uint8Array): Uint8Array {
  return sodium().crypto_generichash(32, data, null);
}
