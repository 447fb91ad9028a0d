/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';

/**
 * Small pieces every page uses, in GOV.UK Frontend's markup: an error summary that links to each bad field,
 * labelled fields with their hint and error, checkboxes, a hidden CSRF field and previous/next paging links.
 */
export interface FieldError {
  field: string;
  message: string;
}

export function ErrorSummary(props: { errors: FieldError[] }) {
  if (!props.errors.length) return null;
  return (
    <div class="govuk-error-summary" data-module="govuk-error-summary">
      <div role="alert">
        <h2 class="govuk-error-summary__title">There is a problem</h2>
        <div class="govuk-error-summary__body">
          <ul class="govuk-list govuk-error-summary__list">
            {props.errors.map((e) => (
              <li>
                <a href={`#${e.field}`}>{e.message}</a>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

const errorFor = (errors: FieldError[] | undefined, name: string) => errors?.find((e) => e.field === name)?.message;

export function TextField(props: {
  name: string;
  label: string;
  value?: string | number | null;
  hint?: string;
  type?: string;
  errors?: FieldError[];
  width?: string;
  autocomplete?: string;
  inputmode?: 'numeric' | 'text' | 'email' | 'decimal';
  spellcheck?: boolean;
}) {
  const error = errorFor(props.errors, props.name);
  const described = [props.hint ? `${props.name}-hint` : '', error ? `${props.name}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <label class="govuk-label" for={props.name}>
        {props.label}
      </label>
      {props.hint ? (
        <div id={`${props.name}-hint`} class="govuk-hint">
          {props.hint}
        </div>
      ) : null}
      {error ? (
        <p id={`${props.name}-error`} class="govuk-error-message">
          <span class="govuk-visually-hidden">Error:</span> {error}
        </p>
      ) : null}
      <input
        class={`govuk-input${props.width ? ` govuk-input--width-${props.width}` : ''}${error ? ' govuk-input--error' : ''}`}
        id={props.name}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value === null || props.value === undefined ? '' : String(props.value)}
        aria-describedby={described}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        spellcheck={props.spellcheck}
      />
    </div>
  );
}

export function TextArea(props: { name: string; label: string; value?: string | null; hint?: string; errors?: FieldError[]; rows?: number }) {
  const error = errorFor(props.errors, props.name);
  const described = [props.hint ? `${props.name}-hint` : '', error ? `${props.name}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <label class="govuk-label" for={props.name}>
        {props.label}
      </label>
      {props.hint ? (
        <div id={`${props.name}-hint`} class="govuk-hint">
          {props.hint}
        </div>
      ) : null}
      {error ? (
        <p id={`${props.name}-error`} class="govuk-error-message">
          <span class="govuk-visually-hidden">Error:</span> {error}
        </p>
      ) : null}
      <textarea class={`govuk-textarea${error ? ' govuk-textarea--error' : ''}`} id={props.name} name={props.name} rows={props.rows ?? 5} aria-describedby={described}>
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

export function Select(props: { name: string; label: string; value?: string | null; options: Array<[string, string]>; errors?: FieldError[]; hint?: string }) {
  const error = errorFor(props.errors, props.name);
  return (
    <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <label class="govuk-label" for={props.name}>
        {props.label}
      </label>
      {props.hint ? (
        <div id={`${props.name}-hint`} class="govuk-hint">
          {props.hint}
        </div>
      ) : null}
      {error ? (
        <p id={`${props.name}-error`} class="govuk-error-message">
          <span class="govuk-visually-hidden">Error:</span> {error}
        </p>
      ) : null}
      <select class="govuk-select" id={props.name} name={props.name} aria-describedby={props.hint ? `${props.name}-hint` : undefined}>
        {props.options.map(([value, label]) => (
          <option value={value} selected={(props.value ?? '') === value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Checkboxes(props: {
  name: string;
  legend: string;
  hint?: string;
  items: Array<{ value: string; label: string; hint?: string; checked?: boolean }>;
  errors?: FieldError[];
  small?: boolean;
}) {
  const error = errorFor(props.errors, props.name);
  return (
    <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <fieldset class="govuk-fieldset" id={props.name} aria-describedby={props.hint ? `${props.name}-hint` : undefined}>
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{props.legend}</legend>
        {props.hint ? (
          <div id={`${props.name}-hint`} class="govuk-hint">
            {props.hint}
          </div>
        ) : null}
        {error ? (
          <p class="govuk-error-message">
            <span class="govuk-visually-hidden">Error:</span> {error}
          </p>
        ) : null}
        <div class={`govuk-checkboxes${props.small ? ' govuk-checkboxes--small' : ''}`}>
          {props.items.map((item, i) => (
            <div class="govuk-checkboxes__item">
              <input class="govuk-checkboxes__input" id={`${props.name}-${i}`} name={props.name} type="checkbox" value={item.value} checked={item.checked} />
              <label class="govuk-label govuk-checkboxes__label" for={`${props.name}-${i}`}>
                {item.label}
              </label>
              {item.hint ? <div class="govuk-hint govuk-checkboxes__hint">{item.hint}</div> : null}
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}

export const Csrf = (props: { token: string }) => <input type="hidden" name="_csrf" value={props.token} />;

export function Button(props: { children: Child; name?: string; value?: string; secondary?: boolean }) {
  return (
    <button type="submit" class={`govuk-button${props.secondary ? ' govuk-button--secondary' : ''}`} name={props.name} value={props.value}>
      {props.children}
    </button>
  );
}

/** Previous and next links; `next` is null on the last page. */
export function Paging(props: { previous: string | null; next: string | null; label: string }) {
  if (!props.previous && !props.next) return null;
  return (
    <nav class="govuk-pagination govuk-pagination--block" aria-label={props.label}>
      {props.previous ? (
        <div class="govuk-pagination__prev">
          <a class="govuk-link govuk-pagination__link" href={props.previous} rel="prev">
            <span class="govuk-pagination__link-title">Previous page</span>
          </a>
        </div>
      ) : null}
      {props.next ? (
        <div class="govuk-pagination__next">
          <a class="govuk-link govuk-pagination__link" href={props.next} rel="next">
            <span class="govuk-pagination__link-title">Next page</span>
          </a>
        </div>
      ) : null}
    </nav>
  );
}

export function Notice(props: { children: Child; title?: string }) {
  return (
    <div class="govuk-notification-banner" role="region" aria-labelledby="notice-title">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="notice-title">
          {props.title ?? 'Important'}
        </h2>
      </div>
      <div class="govuk-notification-banner__content">{props.children}</div>
    </div>
  );
}

export const money = (n: number | null | undefined) => (n === null || n === undefined ? 'not stated' : `£${Math.round(n).toLocaleString('en-GB')}`);
export const day = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }) : 'not stated');
