/**
 * A draft's documents: those in the vault (each with a remove button), files waiting for
 * a new draft to be saved, and the ways to add more: the file picker (keyboard) or a drop
 * on the zone. Files are read only when sent; at most 8 MiB each (checked in the store).
 */
import { useId, useState } from 'react';
import type { DragEvent } from 'react';
import type { DraftDocumentView } from '../../../../native/api/drafts-contract.ts';
import type { Locale } from '../../i18n/catalog.ts';
import type { Translate } from '../../i18n/translate.ts';
import type { DocumentFile } from '../../store/drafts-slice.ts';

/** A size for people: bytes, KiB or MiB with the locale's decimal mark. */
export function formatSize(bytes: number, locale: Locale): string {
  const number = (n: number) =>
    new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 }).format(
      n,
    );
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${number(bytes / 1024)} KiB`;
  return `${number(bytes / (1024 * 1024))} MiB`;
}

export interface DocumentFieldProps {
  t: Translate;
  locale: Locale;
  /** Documents already in the vault (none for a new draft). */
  documents: readonly DraftDocumentView[];
  /** Files chosen for a draft not yet saved. */
  pending: readonly DocumentFile[];
  busy: boolean;
  /** Name of the file being sent, if any. */
  uploading: string | null;
  onAdd(files: DocumentFile[]): void;
  onRemoveDocument(id: number): void;
  onRemovePending(index: number): void;
}

export function DocumentField(props: DocumentFieldProps) {
  const { t, locale, documents, pending, busy, uploading } = props;
  const headingId = useId();
  const limitId = useId();
  const [dragging, setDragging] = useState(false);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0 && !busy) props.onAdd(files);
  };

  return (
    <section className="documents" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('documents.heading')}</h3>
      {documents.length === 0 && pending.length === 0 ? (
        <p className="muted">{t('documents.none')}</p>
      ) : (
        <ul className="document-list" data-testid="document-list">
          {documents.map((doc) => (
            <li key={`saved-${doc.id}`} data-testid="document-item" data-saved="true">
              <span className="document-name">{doc.name}</span>
              <span className="muted">{formatSize(doc.size, locale)}</span>
              <button
                type="button"
                className="button button-quiet"
                disabled={busy}
                aria-label={t('documents.remove', { name: doc.name })}
                onClick={() => props.onRemoveDocument(doc.id)}
              >
                ✕
              </button>
            </li>
          ))}
          {pending.map((file, index) => (
            <li
              key={`pending-${file.name}-${index}`}
              data-testid="document-item"
              data-saved="false"
            >
              <span className="document-name">{file.name}</span>
              <span className="muted">
                {formatSize(file.size, locale)} · {t('documents.pending')}
              </span>
              <button
                type="button"
                className="button button-quiet"
                disabled={busy}
                aria-label={t('documents.remove', { name: file.name })}
                onClick={() => props.onRemovePending(index)}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {uploading !== null && (
        <p className="muted" role="status">
          {t('documents.uploading', { name: uploading })}
        </p>
      )}
      <div
        className="drop-zone"
        data-testid="document-drop"
        data-dragging={dragging}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label className="button file-button" data-disabled={busy}>
          {t('documents.pick')}
          <input
            type="file"
            multiple
            className="visually-hidden"
            data-testid="document-input"
            disabled={busy}
            aria-describedby={limitId}
            onChange={(event) => {
              const files = Array.from(event.target.files ?? []);
              event.target.value = '';
              if (files.length > 0) props.onAdd(files);
            }}
          />
        </label>
        <p className="muted">{t('documents.drop')}</p>
        <p className="field-hint" id={limitId}>
          {t('documents.limit')}
        </p>
      </div>
    </section>
  );
}
