import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { type IssuedWebhook, useCreateWebhook, WEBHOOK_EVENTS, type WebhookEvent } from '../../../api/webhooks';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';

const isHttpUrl = (text: string) => {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

/** The "new webhook" form: name, URL, events, optionally one project. */
export const useWebhookForm = (onIssued: (issued: IssuedWebhook) => void) => {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['flag.changed', 'flag.killed', 'flag.restored']);
  const [projectKey, setProjectKey] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useCreateWebhook();

  // A field's message goes as soon as the user changes that field; the others stay until the next submit.
  const changed = (path: string) => setErrors((current) => withoutField(current, path));
  const toggleEvent = (event: WebhookEvent, on: boolean) => {
    setEvents((current) => WEBHOOK_EVENTS.filter((e) => (e === event ? on : current.includes(e))));
    changed('events');
  };

  const submit = async () => {
    const next: FieldErrors = {};
    if (!name.trim()) next.name = ['name the receiver, e.g. slack-releases'];
    if (!isHttpUrl(url.trim())) next.url = ['an http(s) URL, e.g. https://hooks.example.com/signalbox'];
    if (events.length === 0) next.events = ['pick at least one event'];
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    try {
      const issued = await create.mutateAsync({ name: name.trim(), url: url.trim(), events, projectKey: projectKey || undefined });
      setName('');
      setUrl('');
      onIssued(issued);
    } catch (error) {
      setErrors(error instanceof ApiError && error.fieldErrors.length > 0 ? toFieldErrors(error.fieldErrors) : { name: [errorMessage(error)] });
    }
  };

  return {
    name,
    setName: (value: string) => {
      setName(value);
      changed('name');
    },
    url,
    setUrl: (value: string) => {
      setUrl(value);
      changed('url');
    },
    events,
    toggleEvent,
    projectKey,
    setProjectKey,
    errors,
    submit,
    pending: create.isPending,
  };
};
