// This device's keys and cases, in IndexedDB: the keystore text (SPEC 11,
// sealed under the passphrase; the passphrase and the keys never leave the
// page) and what the page needs to find its cases again. "Forget this
// device" deletes the database. One Vault per database name (the parties'
// client uses "shuttle").
//
// One connection is kept open while the page uses it (opening one costs
// tens of milliseconds); it is closed when another tab deletes or upgrades
// the database, and opened again when next needed. A deletion in another
// tab is told to the page (`onDeleted`), which locks: the keys are gone.
export class Vault {
  private static readonly store = 'profile';
  private connection?: Promise<IDBDatabase>;
  private deleted: () => void = () => {};

  constructor(private readonly dbName = 'shuttle') {}

  private open(): Promise<IDBDatabase> {
    this.connection ??= new Promise((resolve, reject) => {
      const r = indexedDB.open(this.dbName, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(Vault.store);
      r.onsuccess = () => {
        const db = r.result;
        // Another tab deleted the database ("Forget this device" there): the keys are gone from this device.
        db.onversionchange = (ev) => {
          this.close();
          if (ev.newVersion === null) this.deleted();
        };
        db.onclose = () => {
          this.connection = undefined;
        };
        resolve(db);
      };
      r.onerror = () => {
        this.connection = undefined;
        reject(r.error);
      };
    });
    return this.connection;
  }

  // Told when another tab of this origin deletes the database.
  onDeleted(then: () => void): void {
    this.deleted = then;
  }

  private close(): void {
    const open = this.connection;
    this.connection = undefined;
    void open?.then((db) => db.close(), () => {});
  }

  // Several values in one transaction: all of them are kept, or none. A
  // value is text, or a Blob (a kept letter: IndexedDB holds its bytes
  // without the page's thread copying them).
  async putAll(values: Record<string, string | Blob>): Promise<void> {
    const db = await this.open();
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(Vault.store, 'readwrite');
      for (const [key, value] of Object.entries(values)) tx.objectStore(Vault.store).put(value, key);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  put(key: string, value: string | Blob): Promise<void> {
    return this.putAll({ [key]: value });
  }

  // A value as it was put: text or a Blob.
  async value(key: string): Promise<string | Blob | undefined> {
    const db = await this.open();
    return new Promise<string | Blob | undefined>((resolve, reject) => {
      const r = db.transaction(Vault.store, 'readonly').objectStore(Vault.store).get(key);
      r.onsuccess = () => resolve(r.result as string | Blob | undefined);
      r.onerror = () => reject(r.error);
    });
  }

  // A value put as text.
  async get(key: string): Promise<string | undefined> {
    const v = await this.value(key);
    if (v instanceof Blob) throw new Error(`${key} is kept as a Blob, not as text`);
    return v;
  }

  forget(): Promise<void> {
    this.close();
    return new Promise((resolve, reject) => {
      const r = indexedDB.deleteDatabase(this.dbName);
      r.onsuccess = () => resolve();
      r.onerror = () => reject(r.error);
    });
  }
}
