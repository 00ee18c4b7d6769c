import { useState } from 'react';
import { useMutation } from '../api/hooks';
import { PauseAllCampaignsDocument } from '../gql/graphql';
import { pauseSummary, type PauseReport } from '../guardrails';
import { Link } from '../router';
import { Banner, Button, ConfirmDialog } from '../ui/kit';

type Scope = { kind: 'mine' } | { kind: 'tenant'; tenantId: string; tenantName: string } | { kind: 'every' };

const wording = {
  mine: {
    button: 'Pause all',
    title: 'Pause every running campaign?',
    confirm: 'Pause all now',
    body: () =>
      'Every running campaign of yours on the platform is paused now, one after the other on the platform first. Ads stop spending; nothing is deleted, and you can resume each campaign later.',
  },
  tenant: {
    button: 'Pause all of this tenant',
    title: 'Pause every campaign of this tenant?',
    confirm: 'Pause this tenant’s campaigns',
    body: (name: string) =>
      `Every running campaign of ${name}, whoever owns it, is paused on the platform now. Its members can resume them one by one afterwards.`,
  },
  every: {
    button: 'Pause every tenant',
    title: 'Pause every campaign on the whole platform?',
    confirm: 'Pause every tenant’s campaigns',
    body: () =>
      'Every running campaign of every tenant on this platform is paused now: all advertising stops spending. Use it for an emergency; each member resumes their campaigns by hand afterwards.',
  },
} as const;

/** The emergency stop: a confirmation that says what happens, then the report of every campaign's outcome. */
export function PauseAll({ scope, onDone }: { scope: Scope; onDone: (r: PauseReport) => void }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [wordError, setWordError] = useState(false);
  const m = useMutation(PauseAllCampaignsDocument);
  const w = wording[scope.kind];
  const name = scope.kind === 'tenant' ? scope.tenantName : '';
  // The platform-wide stop asks for a typed word: it cannot be clicked through by habit.
  const armed = scope.kind !== 'every' || typed.trim().toUpperCase() === 'PAUSE';

  const run = async () => {
    if (!armed) {
      setWordError(true);
      document.getElementById('pause-every-word')?.focus();
      return;
    }
    const d = await m.run(scope.kind === 'tenant' ? { tenantId: scope.tenantId } : scope.kind === 'every' ? { everyTenant: true } : {});
    if (d) {
      setOpen(false);
      setTyped('');
      onDone(d.pauseAllCampaigns);
    }
  };

  return (
    <>
      <Button
        variant="danger"
        className="pause-all"
        aria-label={scope.kind === 'tenant' ? `${w.button}: ${name}` : undefined}
        onClick={() => {
          m.reset();
          setOpen(true);
        }}
      >
        <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" fill="currentColor">
          <rect x="2" y="1" width="3" height="10" rx="1" />
          <rect x="7" y="1" width="3" height="10" rx="1" />
        </svg>{' '}
        {w.button}
      </Button>
      <ConfirmDialog
        open={open}
        title={w.title}
        confirmLabel={w.confirm}
        danger
        busy={m.busy}
        error={m.error}
        onCancel={() => {
          setOpen(false);
          setTyped('');
          setWordError(false);
        }}
        onConfirm={run}
      >
        <p>{w.body(name)}</p>
        <p className="muted small">Credits, the budget policy and the pause limits never hold this back. Campaigns still launching are reported, not stopped.</p>
        {scope.kind === 'every' && (
          <div className={`field${wordError ? ' field-invalid' : ''}`}>
            <label htmlFor="pause-every-word">Type PAUSE to confirm</label>
            <input
              id="pause-every-word"
              className="input"
              value={typed}
              autoComplete="off"
              aria-invalid={wordError || undefined}
              aria-describedby={wordError ? 'pause-every-word-err' : undefined}
              onChange={(e) => {
                setTyped(e.target.value);
                setWordError(false);
              }}
            />
            {wordError && (
              <p className="field-error" id="pause-every-word-err" role="alert">
                Type PAUSE to stop every tenant’s campaigns.
              </p>
            )}
          </div>
        )}
      </ConfirmDialog>
    </>
  );
}

/** What a pause-all did: the counts, and each failed campaign with the platform's words. */
export function PauseReportView({ report, scope, onClose }: { report: PauseReport; scope?: string; onClose: () => void }) {
  const summary = pauseSummary(report);
  return (
    <div className="pause-report" data-testid="pause-report">
      <Banner kind={report.failed ? 'warning' : 'success'}>
        <strong>
          {scope ? `${scope} · ` : ''}
          {report.failed ? 'Paused, with failures' : 'Pause all done'}
        </strong>
        <p>{summary.line}</p>
        {summary.failures.length > 0 && (
          <ul className="pause-failures">
            {summary.failures.map((f) => (
              <li key={f.id}>
                <Link href={`/campaigns/${f.id}`}>{f.name}</Link>: {f.message}
              </li>
            ))}
          </ul>
        )}
        {report.launching > 0 && <p className="small">Campaigns still launching finish their launch; pause them once they are active.</p>}
        <button type="button" className="link-button small" onClick={onClose}>
          Dismiss
        </button>
      </Banner>
    </div>
  );
}
