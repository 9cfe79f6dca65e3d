/**
 * An opened package's documents: name, size and whether the content matched the hash the
 * sender signed; and "Lưu ra thư mục…": the native side writes the documents from the
 * vault into the folder the clerk names (proposed by the native side; existing files are
 * never overwritten). Until then nothing of them exists outside the encrypted vault.
 */
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { InboxDocumentView } from '../../../../native/api/inbox-open-contract.ts';
import type { Locale } from '../../i18n/catalog.ts';
import type { Translate } from '../../i18n/translate.ts';
import { selectInboxView } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { formatSize } from './document-field.tsx';

function HashStatus({ doc, t }: { doc: InboxDocumentView; t: Translate }) {
  const ok = doc.hash === 'valid';
  return (
    <span
      className={ok ? 'check-ok' : doc.hash === 'mismatch' ? 'check-bad' : 'muted'}
      data-testid="document-hash"
      data-hash={doc.hash}
      title={doc.sha256 ?? undefined}
    >
      {t(`inboxDocs.hash.${doc.hash}`)}
    </span>
  );
}

export function InboxDocuments({
  documents,
  exportFolder,
  canExport,
  t,
  locale,
}: {
  documents: readonly InboxDocumentView[];
  exportFolder: string;
  canExport: boolean;
  t: Translate;
  locale: Locale;
}) {
  const headingId = useId();
  const folderId = useId();
  const folderHintId = useId();
  const { exporting, exported, exportDocuments } = useAppStore(selectInboxView);
  const [folder, setFolder] = useState(exportFolder);
  const [asking, setAsking] = useState(false);

  const onExport = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (folder.trim() !== '') void exportDocuments(folder.trim());
  };

  return (
    <section className="inbox-documents" aria-labelledby={headingId}>
      <h4 id={headingId}>{t('inboxDocs.heading', { count: documents.length })}</h4>
      <ul className="document-list" data-testid="inbox-documents">
        {documents.map((doc) => (
          <li key={doc.id} data-testid="inbox-document" data-stored={doc.stored}>
            <span className="document-name" data-testid="inbox-document-name">
              {doc.name}
            </span>
            <span className="muted">{formatSize(doc.size, locale)}</span>
            <HashStatus doc={doc} t={t} />
          </li>
        ))}
      </ul>
      {canExport && !asking && (
        <button
          type="button"
          className="button"
          data-testid="export-start"
          onClick={() => setAsking(true)}
        >
          {t('inboxDocs.export')}
        </button>
      )}
      {canExport && asking && (
        <form className="export-form" onSubmit={onExport} aria-busy={exporting}>
          <label className="field-label" htmlFor={folderId}>
            {t('inboxDocs.folder')}
          </label>
          <div className="inline-fields">
            <input
              id={folderId}
              className="mono"
              data-testid="export-folder"
              value={folder}
              aria-describedby={folderHintId}
              onChange={(e) => setFolder(e.target.value)}
            />
            <button
              type="submit"
              className="button button-primary"
              data-testid="export-save"
              disabled={exporting || folder.trim() === ''}
            >
              {exporting ? t('inboxDocs.exporting') : t('inboxDocs.save')}
            </button>
          </div>
          <p className="field-hint" id={folderHintId}>
            {t('inboxDocs.folderHint')}
          </p>
        </form>
      )}
      {exported !== null && (
        <div className="alert alert-success" role="status" data-testid="export-done">
          <p>
            {t('inboxDocs.exported', { count: exported.files.length, folder: exported.folder })}
          </p>
          <ul className="plain-list mono">
            {exported.files.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
