import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

/**
 * The durable state file of a node process (the executor's journal, the verifier's and the indexer's state): one
 * SQLite database in WAL mode, every commit synced (`synchronous = FULL`), its schema versioned with `user_version`,
 * and bound to one deployment so that a state file can never be replayed against another chain or another set of
 * contracts.
 */

export type SqliteDatabase = Database.Database;

/** The state file does not belong to the deployment the process was started for. */
export class StateFileMismatchError extends Error {
  override readonly name = "StateFileMismatchError";
}

/**
 * Opens (creating it and its folder if needed) the database at `path` and applies the schema `migrations` not yet
 * applied: migration `i` runs once, in one transaction, and sets `user_version` to `i + 1`. Every state file also has
 * an `identity` table (see `bindIdentity`) and a key/value `meta` table. `":memory:"` opens a throw-away database
 * (tests).
 */
export function openDatabase(path: string, migrations: readonly string[]): SqliteDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > migrations.length) {
    db.close();
    throw new StateFileMismatchError(
      `The state file ${path} has schema version ${version}, newer than this software knows (${migrations.length}). ` +
        "Upgrade the software, or point it at another state file.",
    );
  }
  for (let i = version; i < migrations.length; i++) {
    db.transaction(() => {
      db.exec(migrations[i]);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  db.exec("CREATE TABLE IF NOT EXISTS identity (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT");
  db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT");
  return db;
}

/**
 * Binds the database to a deployment (`{ chainId: "31337", hub: "0x…" }`, say) on first use; afterwards, throws
 * `StateFileMismatchError` naming the differing key when the process is started for another deployment.
 */
export function bindIdentity(db: SqliteDatabase, path: string, identity: Record<string, string>): void {
  const get = db.prepare<[string], { value: string }>("SELECT value FROM identity WHERE key = ?");
  const put = db.prepare("INSERT INTO identity (key, value) VALUES (?, ?)");
  db.transaction(() => {
    for (const [key, value] of Object.entries(identity)) {
      const stored = get.get(key)?.value;
      if (stored === undefined) put.run(key, value);
      else if (stored.toLowerCase() !== value.toLowerCase()) {
        throw new StateFileMismatchError(
          `The state file ${path} belongs to ${key} ${stored}, not ${value}. ` +
            "Point the process at the state file of this deployment (or a new path to start from scratch).",
        );
      }
    }
  })();
}

/**
 * Base of a process's state file: opens it (schema `migrations`, bound to `identity`), and gives its subclasses the
 * database, one-transaction writes and a small key/value `meta` table.
 */
export abstract class StateFile {
  protected readonly db: SqliteDatabase;

  constructor(path: string, migrations: readonly string[], identity: Record<string, string>) {
    this.db = openDatabase(path, migrations);
    try {
      bindIdentity(this.db, path, identity);
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  close(): void {
    this.db.close();
  }

  /** Runs `fn` in one transaction (all of its writes land, or none). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  protected meta(key: string): string | undefined {
    return this.db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?").get(key)?.value;
  }

  protected setMeta(key: string, value: string): void {
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }
}
