import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { request } from '../../api/client';
import { ApiError } from '../../api/errors';
import { formatCount } from '../../format';
import { useQuery } from '../../api/hooks';
import { CountriesDocument, SearchTargetingDocument, type AdCopyInput, type CallToAction, type TargetingKind, type SearchTargetingQuery } from '../../gql/graphql';

type TargetingOption = SearchTargetingQuery['searchTargeting'][number];
import { copyLimits, ctaLabels, type Target } from './form';

export function Chips({ items, onRemove, label }: { items: { key: string; text: string }[]; onRemove: (key: string) => void; label: string }) {
  if (!items.length) return null;
  return (
    <ul className="chips" aria-label={label}>
      {items.map((i) => (
        <li key={i.key} className="chip">
          {i.text}
          <button type="button" className="chip-x" aria-label={`Remove ${i.text}`} onClick={() => onRemove(i.key)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * Countries from the platform's list (the server's `countries`), chosen by
 * name or code. A code or name that is not on the list is refused here
 * with `onProblem`, never added silently (the server refuses it too).
 */
export function CountryPicker({
  value,
  onChange,
  onProblem,
  id,
  describedBy,
}: {
  value: string[];
  onChange: (v: string[]) => void;
  onProblem: (message: string | undefined) => void;
  id: string;
  describedBy?: string;
}) {
  const [text, setText] = useState('');
  const listId = useId();
  const q = useQuery(CountriesDocument);
  const countries = q.data?.countries ?? [];
  const nameOf = new Map(countries.map((c) => [c.code, c.name]));
  const add = () => {
    const t = text.trim();
    if (!t) return;
    const found = countries.find((c) => c.code === t.toUpperCase() || c.name.toLowerCase() === t.toLowerCase() || `${c.name} (${c.code})`.toLowerCase() === t.toLowerCase());
    if (!found) {
      onProblem(`“${t}” is not a country ads can target: pick one from the list.`);
      return;
    }
    onProblem(undefined);
    if (!value.includes(found.code)) onChange([...value, found.code]);
    setText('');
  };
  return (
    <div>
      <Chips
        label="Countries"
        items={value.map((c) => ({ key: c, text: `${nameOf.get(c) ?? c} (${c})` }))}
        onRemove={(k) => onChange(value.filter((c) => c !== k))}
      />
      <input
        id={id}
        aria-describedby={describedBy}
        className="input"
        list={listId}
        value={text}
        placeholder="Add a country: name or code"
        onChange={(e) => {
          const v = e.target.value;
          setText(v);
          // A pick from the datalist arrives as the full "Name (XX)" text.
          const m = /\(([A-Z]{2})\)$/.exec(v);
          if (m && nameOf.has(m[1])) {
            onProblem(undefined);
            if (!value.includes(m[1])) onChange([...value, m[1]]);
            setText('');
          }
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add();
          }
        }}
        onBlur={add}
      />
      <datalist id={listId}>
        {countries
          .filter((c) => !value.includes(c.code))
          .map((c) => (
            <option key={c.code} value={`${c.name} (${c.code})`} />
          ))}
      </datalist>
    </div>
  );
}

function audience(o: TargetingOption): string {
  if (o.audienceSizeLower == null) return '';
  const upper = o.audienceSizeUpper ?? o.audienceSizeLower;
  if (upper === o.audienceSizeLower) return `${formatCount(upper)} people`;
  return `${formatCount(o.audienceSizeLower)}–${formatCount(upper)} people`;
}

/** A combobox fed by searchTargeting (debounced), choosing many. */
export function TargetingTypeahead({
  integrationId,
  kind,
  countryCode,
  value,
  onChange,
  label,
  placeholder,
}: {
  integrationId: string;
  kind: TargetingKind;
  countryCode?: string;
  value: Target[];
  onChange: (v: Target[]) => void;
  label: string;
  placeholder: string;
}) {
  const [text, setText] = useState('');
  const [options, setOptions] = useState<TargetingOption[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const id = useId();
  const timer = useRef<number>(undefined);

  useEffect(() => {
    window.clearTimeout(timer.current);
    const q = text.trim();
    if (!q || !integrationId) {
      setOptions([]);
      return;
    }
    timer.current = window.setTimeout(async () => {
      setLoading(true);
      try {
        const d = await request(SearchTargetingDocument, { integrationId, kind, query: q, countryCode: countryCode || null });
        setOptions(d.searchTargeting.filter((o) => !value.some((v) => v.id === o.id)));
        setError(null);
        setActive(0);
        setOpen(true);
      } catch (e) {
        setError(e instanceof ApiError ? e.message : String(e));
      } finally {
        setLoading(false);
      }
    }, 250);
    return () => window.clearTimeout(timer.current);
  }, [text, integrationId, kind, countryCode, value]);

  const pick = (o: TargetingOption) => {
    onChange([...value, { id: o.id, name: o.name }]);
    setText('');
    setOptions([]);
    setOpen(false);
  };
  const onKey = (e: KeyboardEvent) => {
    if (!open || !options.length) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (a + 1) % options.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a - 1 + options.length) % options.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      pick(options[active]);
    } else if (e.key === 'Escape') setOpen(false);
  };
  return (
    <div className="field typeahead">
      <label htmlFor={id}>{label}</label>
      <Chips label={label} items={value.map((v) => ({ key: v.id, text: v.name }))} onRemove={(k) => onChange(value.filter((v) => v.id !== k))} />
      <div className="typeahead-box">
        <input
          id={id}
          className="input"
          role="combobox"
          aria-expanded={open && options.length > 0}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={open && options[active] ? `${id}-o${active}` : undefined}
          disabled={!integrationId}
          placeholder={integrationId ? placeholder : 'Choose an ad account first'}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          onBlur={() => window.setTimeout(() => setOpen(false), 150)}
          onFocus={() => options.length && setOpen(true)}
        />
        {loading && <span className="spinner spinner-sm typeahead-spin" aria-hidden="true" />}
        {open && options.length > 0 && (
          <ul className="typeahead-list" role="listbox" id={`${id}-list`}>
            {options.map((o, i) => (
              <li
                key={o.id}
                id={`${id}-o${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'active' : undefined}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(o);
                }}
              >
                <span>{o.name}</span>
                <span className="muted small">{[o.countryCode, audience(o)].filter(Boolean).join(' · ')}</span>
              </li>
            ))}
          </ul>
        )}
        {open && !loading && text.trim() && options.length === 0 && !error && <div className="typeahead-none muted small">No match.</div>}
      </div>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

export function Counter({ n, max }: { n: number; max: number }) {
  return (
    <span className={`counter${n > max ? ' over' : ''}`} aria-live="polite">
      {n}/{max}
    </span>
  );
}

/** One copy variant, editable, with Meta's recommended lengths counted live. */
export function CopyEditor({
  copy,
  onChange,
  errors,
  idPrefix,
}: {
  copy: AdCopyInput;
  onChange: (c: AdCopyInput) => void;
  errors?: { headline?: string; body?: string; description?: string };
  idPrefix: string;
}) {
  const f = (k: 'headline' | 'body' | 'description') => `${idPrefix}-${k}`;
  return (
    <div className="copy-editor">
      <div className={`field${errors?.body ? ' field-invalid' : ''}`}>
        <div className="field-label-row">
          <label htmlFor={f('body')}>Primary text</label>
          <Counter n={copy.body.length} max={copyLimits.body} />
        </div>
        <textarea id={f('body')} className="input" rows={3} value={copy.body} onChange={(e) => onChange({ ...copy, body: e.target.value })} aria-invalid={!!errors?.body || undefined} />
        {errors?.body && <p className="field-error">{errors.body}</p>}
      </div>
      <div className="grid-2">
        <div className={`field${errors?.headline ? ' field-invalid' : ''}`}>
          <div className="field-label-row">
            <label htmlFor={f('headline')}>Headline</label>
            <Counter n={copy.headline.length} max={copyLimits.headline} />
          </div>
          <input id={f('headline')} className="input" value={copy.headline} onChange={(e) => onChange({ ...copy, headline: e.target.value })} aria-invalid={!!errors?.headline || undefined} />
          {errors?.headline && <p className="field-error">{errors.headline}</p>}
        </div>
        <div className={`field${errors?.description ? ' field-invalid' : ''}`}>
          <div className="field-label-row">
            <label htmlFor={f('description')}>Description</label>
            <Counter n={(copy.description ?? '').length} max={copyLimits.description} />
          </div>
          <input id={f('description')} className="input" value={copy.description ?? ''} onChange={(e) => onChange({ ...copy, description: e.target.value })} aria-invalid={!!errors?.description || undefined} />
          {errors?.description && <p className="field-error">{errors.description}</p>}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-cta`}>Call to action</label>
        <select id={`${idPrefix}-cta`} className="input" value={copy.callToAction} onChange={(e) => onChange({ ...copy, callToAction: e.target.value as CallToAction })}>
          {(Object.keys(ctaLabels) as CallToAction[]).map((k) => (
            <option key={k} value={k}>
              {ctaLabels[k]}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
