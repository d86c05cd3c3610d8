// This device's keys and cases, in IndexedDB: the keystore text (SPEC 11,
// sealed under the passphrase; the passphrase and the keys never leave the
// page) and what the page needs to find its cases again. "Forget this
// device" deletes the database. One Vault per database name (the parties'
// client uses "shuttle").
export class Vault {
  private static readonly store = 'profile';

  constructor(private readonly dbName = 'shuttle') {}

  private open(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
      const r = indexedDB.open(this.dbName, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(Vault.store);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }

  async put(key: string, value: string): Promise<void> {
    const db = await this.open();
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(Vault.store, 'readwrite');
      tx.objectStore(Vault.store).put(value, key);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }

  async get(key: string): Promise<string | undefined> {
    const db = await this.open();
    const value = await new Promise<string | undefined>((resolve, reject) => {
      const r = db.transaction(Vault.store, 'readonly').objectStore(Vault.store).get(key);
      r.onsuccess = () => resolve(r.result as string | undefined);
      r.onerror = () => reject(r.error);
    });
    db.close();
    return value;
  }

  forget(): Promise<void> {
    return new Promise((resolve, reject) => {
      const r = indexedDB.deleteDatabase(this.dbName);
      r.onsuccess = () => resolve();
      r.onerror = () => reject(r.error);
    });
  }
}
