import { versionId } from '../store/ids.js';
import { V5_KINDS, type V5FileType } from './v5-kinds.js';

/** A file: a path that belongs to one file type, and the version its last kernel made. */
export interface V5File {
  readonly id: string;
  readonly type: V5FileType;
  readonly path: string;
  /** The id of the version its last kernel made (the one a log without a kernel goes to). */
  version: string;
  /** Stored logs of the file, all versions together. */
  logCount: number;
}

/** A version of a file: its kernel as first sent, when it was made, and its logs. */
export interface V5Version {
  readonly id: string;
  readonly fileId: string;
  /** The kernel as the first log of the version sent it (undefined when no log of it brought one). */
  readonly kernel: unknown;
  readonly createdAt: string;
  lastUsedAt: string;
  logCount: number;
}

/** What a log tells the files about itself. */
export interface FiledLog {
  file_id: string;
  version_id: string;
}


/**
 * The v5 files and their versions, with their ids and log counts. A file or version is kept while
 * a stored log belongs to it: the logs the store keeps bound them.
 */
export class V5Files {
  private readonly _files = new Map<string, V5File>();
  private readonly _paths = new Map<string, V5File>();
  private readonly _versions = new Map<string, V5Version>();
  /** Each file's version ids, so that forgetting a file need not look through every version. */
  private readonly _versionsOf = new Map<string, Set<string>>();
  // Never reset by clear(): an id handed out once is not handed out again for another file.
  private _fileCounter = 0;

  file(id: string): V5File | undefined {
    return this._files.get(id);
  }

  fileAtPath(path: string): V5File | undefined {
    return this._paths.get(path);
  }

  version(id: string): V5Version | undefined {
    return this._versions.get(id);
  }

  /** A new file at `path`, with a `pr_`, `tl_`, `fl_` or `ag_` id by type. */
  create(type: V5FileType, path: string): V5File {
    let id: string;
    do id = `${V5_KINDS[type].filePrefix}${++this._fileCounter}`;
    while (this._files.has(id));
    const file: V5File = { id, type, path, version: '', logCount: 0 };
    this._files.set(id, file);
    this._paths.set(path, file);
    return file;
  }

  /**
   * Files a new log made at `at`: under the version its kernel makes (the same kernel on the same
   * file is the same version), or the file's version when it brought none. Returns the version id.
   */
  fileLog(file: V5File, kernel: unknown, at: string): string {
    if (kernel !== undefined) file.version = versionId(file.type, file.id, kernel);
    this._addVersion(file, file.version, kernel, at);
    this._count(file, file.version, at);
    return file.version;
  }

  /** Files a log kept from an earlier run, under the file and version it was stored with. */
  restore(log: FiledLog & { type: V5FileType; path?: unknown; created_at?: unknown }, kernel: unknown): void {
    let file = this._files.get(log.file_id);
    if (!file) {
      file = { id: log.file_id, type: log.type, path: typeof log.path === 'string' ? log.path : '', version: '', logCount: 0 };
      this._files.set(file.id, file);
      if (file.path !== '' && !this._paths.has(file.path)) this._paths.set(file.path, file);
    }
    file.version = log.version_id;
    const at = typeof log.created_at === 'string' ? log.created_at : new Date().toISOString();
    this._addVersion(file, log.version_id, kernel, at);
    this._count(file, log.version_id, at);
  }

  /** A log is gone: its file and version count one less, and are forgotten with their last log. */
  forget(log: FiledLog): void {
    const file = this._files.get(log.file_id);
    const version = this._versions.get(log.version_id);
    if (version && --version.logCount <= 0 && version.id !== file?.version) {
      this._versions.delete(version.id);
      this._versionsOf.get(version.fileId)?.delete(version.id);
    }
    if (!file || --file.logCount > 0) return;
    this._files.delete(file.id);
    if (this._paths.get(file.path) === file) this._paths.delete(file.path);
    for (const id of this._versionsOf.get(file.id) ?? []) this._versions.delete(id);
    this._versionsOf.delete(file.id);
  }

  clear(): void {
    this._files.clear();
    this._paths.clear();
    this._versions.clear();
    this._versionsOf.clear();
  }

  /** A version of `file` made at `at`, unless it is known (the first kernel of a version is its kernel). */
  private _addVersion(file: V5File, id: string, kernel: unknown, at: string): void {
    if (this._versions.has(id)) return;
    this._versions.set(id, { id, fileId: file.id, kernel, createdAt: at, lastUsedAt: at, logCount: 0 });
    const ids = this._versionsOf.get(file.id);
    if (ids) ids.add(id);
    else this._versionsOf.set(file.id, new Set([id]));
  }

  private _count(file: V5File, versionId: string, at: string): void {
    file.logCount++;
    const version = this._versions.get(versionId);
    if (!version) return;
    version.logCount++;
    if (!(Date.parse(version.lastUsedAt) >= Date.parse(at))) version.lastUsedAt = at;
  }
}
