import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { ApiError, messageOf } from '../api/errors';
import { useMutation, useQuery } from '../api/hooks';
import { request } from '../api/client';
import { uploadFile } from '../api/upload';
import { formatBytes, formatDateTime, plural } from '../format';
import {
  CreativesDocument,
  DeleteCreativeDocument,
  UploadCreativeDocument,
  type CreativeFieldsFragment,
} from '../gql/graphql';
import { Button, ConfirmDialog, EmptyState, ErrorBanner, PageHeader, Spinner } from '../ui/kit';

export interface UploadItem {
  key: string;
  file: File;
  progress: number;
  state: 'queued' | 'uploading' | 'done' | 'error';
  error?: string;
  duplicate?: boolean;
}

const PARALLEL = 3;
let seq = 0;

/** The upload queue: a few files at a time, each with its own progress and outcome. */
export function useUploads(onUploaded: (c: CreativeFieldsFragment, duplicate: boolean) => void, knownIds: () => Set<string>) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const running = useRef(0);
  const queue = useRef<UploadItem[]>([]);
  const aborts = useRef(new Map<string, () => void>());

  const patch = useCallback((key: string, p: Partial<UploadItem>) => {
    setItems((list) => list.map((i) => (i.key === key ? { ...i, ...p } : i)));
  }, []);

  const pump = useCallback(() => {
    while (running.current < PARALLEL && queue.current.length) {
      const item = queue.current.shift()!;
      running.current++;
      patch(item.key, { state: 'uploading', progress: 0 });
      const h = uploadFile(UploadCreativeDocument, { file: null as unknown as File }, 'file', item.file, (f) =>
        patch(item.key, { progress: f }),
      );
      aborts.current.set(item.key, h.abort);
      h.promise
        .then((d) => {
          const dup = knownIds().has(d.uploadCreative.id);
          patch(item.key, { state: 'done', progress: 1, duplicate: dup });
          onUploaded(d.uploadCreative, dup);
        })
        .catch((e: unknown) => {
          const msg = e instanceof ApiError ? e.errors.map((x) => x.message).join(' ') : messageOf(e);
          patch(item.key, { state: 'error', error: msg });
        })
        .finally(() => {
          aborts.current.delete(item.key);
          running.current--;
          pump();
        });
    }
  }, [patch, onUploaded, knownIds]);

  const add = useCallback(
    (files: FileList | File[]) => {
      const fresh = Array.from(files).map<UploadItem>((file) => ({
        key: `u${++seq}`,
        file,
        progress: 0,
        state: 'queued',
      }));
      if (!fresh.length) return;
      setItems((list) => [...fresh, ...list]);
      queue.current.push(...fresh);
      pump();
    },
    [pump],
  );

  const cancel = (key: string) => {
    aborts.current.get(key)?.();
    queue.current = queue.current.filter((i) => i.key !== key);
    setItems((list) => list.filter((i) => i.key !== key || i.state === 'uploading'));
  };
  const clearFinished = () => setItems((list) => list.filter((i) => i.state === 'queued' || i.state === 'uploading'));
  const retry = (key: string) => {
    const it = items.find((i) => i.key === key);
    if (!it) return;
    const again = { ...it, state: 'queued' as const, progress: 0, error: undefined };
    setItems((list) => list.map((i) => (i.key === key ? again : i)));
    queue.current.push(again);
    pump();
  };
  return { items, add, cancel, clearFinished, retry };
}

export function UploadRow({ item, onCancel, onRetry }: { item: UploadItem; onCancel: () => void; onRetry: () => void }) {
  const pct = Math.round(item.progress * 100);
  const label =
    item.state === 'queued'
      ? 'Waiting'
      : item.state === 'uploading'
        ? pct >= 100
          ? 'Checking image…'
          : `${pct}%`
        : item.state === 'done'
          ? item.duplicate
            ? 'Already in the gallery'
            : 'Uploaded'
          : 'Failed';
  return (
    <li className={`upload-row upload-${item.state}`} data-testid="upload-row">
      <div className="upload-name">
        <span className="truncate" title={item.file.name}>
          {item.file.name}
        </span>
        <span className="muted small">{formatBytes(item.file.size)}</span>
      </div>
      <div className="upload-progress">
        <progress
          max={100}
          value={item.state === 'queued' ? 0 : item.state === 'error' ? 100 : pct}
          aria-label={`Upload of ${item.file.name}`}
          data-progress={pct}
        />
        <span className="upload-state">{label}</span>
      </div>
      {item.error && (
        <p className="field-error upload-error" role="alert">
          {item.error}
        </p>
      )}
      <div className="upload-actions">
        {(item.state === 'queued' || item.state === 'uploading') && (
          <Button variant="ghost" onClick={onCancel} aria-label={`Cancel ${item.file.name}`}>
            Cancel
          </Button>
        )}
        {item.state === 'error' && (
          <Button variant="ghost" onClick={onRetry}>
            Retry
          </Button>
        )}
      </div>
    </li>
  );
}

function DropZone({ onFiles }: { onFiles: (f: FileList) => void }) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const depth = useRef(0);
  const stop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div
      className={`dropzone${over ? ' over' : ''}`}
      onDragEnter={(e) => {
        stop(e);
        depth.current++;
        setOver(true);
      }}
      onDragOver={stop}
      onDragLeave={(e) => {
        stop(e);
        if (--depth.current <= 0) setOver(false);
      }}
      onDrop={(e) => {
        stop(e);
        depth.current = 0;
        setOver(false);
        if (e.dataTransfer.files.length) onFiles(e.dataTransfer.files);
      }}
      data-testid="dropzone"
    >
      <div className="dropzone-icon" aria-hidden="true">
        ⇪
      </div>
      <p>
        <strong>Drop images here</strong> or{' '}
        <button type="button" className="link-button" onClick={() => input.current?.click()}>
          choose files
        </button>
      </p>
      <p className="muted small">JPEG or PNG, up to 30 MB each. Meta recommends at least 1080 × 1080 px.</p>
      <input
        ref={input}
        type="file"
        accept="image/jpeg,image/png"
        multiple
        className="visually-hidden"
        tabIndex={-1}
        aria-label="Choose image files"
        onChange={(e) => {
          if (e.target.files?.length) onFiles(e.target.files);
          e.target.value = '';
        }}
      />
    </div>
  );
}

/** Image links expire (15 minutes); a broken one asks the page for fresh links, at most once a minute. */
let lastRefresh = 0;
export function onExpiredImage(refresh?: () => void) {
  return () => {
    if (!refresh || Date.now() - lastRefresh < 60_000) return;
    lastRefresh = Date.now();
    refresh();
  };
}

export function CreativeCard({
  c,
  onDelete,
  selectable,
  selected,
  onToggle,
  onImageError,
}: {
  c: CreativeFieldsFragment;
  onDelete?: () => void;
  selectable?: boolean;
  selected?: boolean;
  onToggle?: () => void;
  onImageError?: () => void;
}) {
  const body = (
    <>
      <div className="thumb">
        <img src={c.thumbnailUrl} alt={c.fileName} loading="lazy" decoding="async" onError={onImageError} />
      </div>
      <div className="creative-meta">
        <div className="truncate creative-name" title={c.fileName}>
          {c.fileName}
        </div>
        <div className="muted small">
          {c.width} × {c.height} · {formatBytes(c.byteSize)}
        </div>
      </div>
    </>
  );
  if (selectable) {
    return (
      <li className={`creative-card selectable${selected ? ' selected' : ''}`}>
        <label>
          <input type="checkbox" className="creative-check" checked={!!selected} onChange={onToggle} />
          {body}
        </label>
      </li>
    );
  }
  return (
    <li className="creative-card" data-testid="creative-card" title={`Uploaded ${formatDateTime(c.createdAt)}`}>
      {body}
      {onDelete && (
        <button type="button" className="icon-btn creative-delete" aria-label={`Delete ${c.fileName}`} onClick={onDelete}>
          ✕
        </button>
      )}
    </li>
  );
}

export function CreativesScreen() {
  const q = useQuery(CreativesDocument, { first: 48 });
  const [extra, setExtra] = useState<CreativeFieldsFragment[]>([]);
  const [more, setMore] = useState<{ hasNext: boolean; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  const [uploaded, setUploaded] = useState<CreativeFieldsFragment[]>([]);
  const [removed, setRemoved] = useState<Set<string>>(new Set());
  const [toDelete, setToDelete] = useState<CreativeFieldsFragment | null>(null);
  const del = useMutation(DeleteCreativeDocument);

  const base = q.data?.creatives.edges.map((e) => e.node) ?? [];
  const all = [...uploaded, ...base, ...extra].filter(
    (c, i, arr) => !removed.has(c.id) && arr.findIndex((x) => x.id === c.id) === i,
  );
  const total = (q.data?.creatives.totalCount ?? 0) + uploaded.filter((u) => !base.some((b) => b.id === u.id)).length - removed.size;
  const allRef = useRef(all);
  allRef.current = all;

  const uploads = useUploads(
    useCallback((c: CreativeFieldsFragment, dup: boolean) => {
      if (!dup) setUploaded((u) => [c, ...u.filter((x) => x.id !== c.id)]);
    }, []),
    useCallback(() => new Set(allRef.current.map((c) => c.id)), []),
  );

  useEffect(() => {
    if (q.data) setMore({ hasNext: q.data.creatives.pageInfo.hasNextPage, cursor: q.data.creatives.pageInfo.endCursor });
  }, [q.data]);

  const loadMore = async () => {
    if (!more?.cursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const d = await request(CreativesDocument, { first: 48, after: more.cursor });
      setExtra((x) => [...x, ...d.creatives.edges.map((e) => e.node)]);
      setMore({ hasNext: d.creatives.pageInfo.hasNextPage, cursor: d.creatives.pageInfo.endCursor });
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  };

  const active = uploads.items.filter((i) => i.state === 'uploading' || i.state === 'queued').length;
  const finished = uploads.items.length - active;

  return (
    <div className="page">
      <PageHeader
        title="Creatives"
        subtitle={q.data ? `${plural(Math.max(total, 0), 'image')} in your gallery` : 'Your ad images'}
      />
      <DropZone onFiles={uploads.add} />
      {uploads.items.length > 0 && (
        <section className="card uploads" aria-label="Uploads">
          <div className="card-head">
            <h2>{active ? `Uploading ${plural(active, 'file')}…` : 'Uploads'}</h2>
            {finished > 0 && (
              <Button variant="ghost" onClick={uploads.clearFinished}>
                Clear finished
              </Button>
            )}
          </div>
          <ul className="upload-list">
            {uploads.items.map((i) => (
              <UploadRow key={i.key} item={i} onCancel={() => uploads.cancel(i.key)} onRetry={() => uploads.retry(i.key)} />
            ))}
          </ul>
        </section>
      )}
      <section aria-label="Gallery" className="gallery-section">
        {q.loading && !q.data && <Spinner label="Loading the gallery…" />}
        {q.error && <ErrorBanner error={q.error} onRetry={q.refetch} />}
        {q.data && all.length === 0 && (
          <EmptyState title="No creatives yet" icon="▦">
            Drop a few images above. Each one becomes an ad when a campaign launches.
          </EmptyState>
        )}
        {all.length > 0 && (
          <ul className="gallery" data-testid="gallery">
            {all.map((c) => (
              <CreativeCard key={c.id} c={c} onDelete={() => setToDelete(c)} onImageError={onExpiredImage(q.refetch)} />
            ))}
          </ul>
        )}
        {moreError ? <ErrorBanner error={moreError} onRetry={loadMore} /> : null}
        {more?.hasNext && (
          <div className="center">
            <Button onClick={loadMore} busy={loadingMore}>
              Load more
            </Button>
          </div>
        )}
      </section>
      <ConfirmDialog
        open={!!toDelete}
        title="Delete this creative?"
        confirmLabel="Delete image"
        danger
        busy={del.busy}
        error={del.error}
        onCancel={() => {
          setToDelete(null);
          del.reset();
        }}
        onConfirm={async () => {
          if (!toDelete) return;
          const d = await del.run({ id: toDelete.id });
          if (d) {
            setRemoved((r) => new Set(r).add(toDelete.id));
            setToDelete(null);
          }
        }}
      >
        {toDelete && (
          <div className="confirm-creative">
            <img src={toDelete.thumbnailUrl} alt="" />
            <p>
              <strong>{toDelete.fileName}</strong> is removed from the gallery. Ads already running keep their copy on the
              platform.
            </p>
          </div>
        )}
      </ConfirmDialog>
    </div>
  );
}
