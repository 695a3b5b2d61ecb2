import { type FormEvent, useEffect, useState } from 'react';
import { api, ApiError, type FlagView, type Me, type ProjectView } from './api/client';

const Login = ({ onDone }: { onDone: () => void }) => {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Cannot reach the server');
    }
  };
  return (
    <form className="card login" onSubmit={submit} aria-label="Sign in">
      <h1>Signalbox</h1>
      <label>
        Email
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" required />
      </label>
      <label>
        Password
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit">Sign in</button>
    </form>
  );
};

const Status = ({ flag, env }: { flag: FlagView; env: string }) => {
  const config = flag.environments[env];
  if (!config) return <td>—</td>;
  if (config.killed) return <td><span className="badge killed" title={config.kill?.reason}>killed</span></td>;
  return <td><span className={`badge ${config.on ? 'on' : 'off'}`}>{config.on ? 'on' : 'off'}</span></td>;
};

const Flags = ({ project }: { project: ProjectView }) => {
  const [flags, setFlags] = useState<FlagView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<FlagView[]>(`/projects/${project.key}/flags`).then(setFlags, (err: Error) => setError(err.message));
  }, [project.key]);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!flags) return <p>Loading flags…</p>;
  if (flags.length === 0) return <p>No flags yet.</p>;
  return (
    <table>
      <caption>Flags of {project.name}</caption>
      <thead>
        <tr>
          <th scope="col">Flag</th>
          <th scope="col">Kind</th>
          {project.environments.map((e) => <th scope="col" key={e.key}>{e.name}</th>)}
        </tr>
      </thead>
      <tbody>
        {flags.map((flag) => (
          <tr key={flag.key}>
            <td><strong>{flag.key}</strong><br /><small>{flag.name}</small></td>
            <td>{flag.kind}</td>
            {project.environments.map((e) => <Status key={e.key} flag={flag} env={e.key} />)}
          </tr>
        ))}
      </tbody>
    </table>
  );
};

export const App = () => {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [projects, setProjects] = useState<ProjectView[]>([]);
  const load = () =>
    api<Me>('/auth/me').then(
      async (who) => {
        setMe(who);
        setProjects(await api<ProjectView[]>('/projects'));
      },
      () => setMe(null),
    );
  useEffect(() => {
    void load();
  }, []);
  if (me === undefined) return <p>Loading…</p>;
  if (me === null) return <Login onDone={() => void load()} />;
  return (
    <main>
      <header>
        <h1>Signalbox</h1>
        <span>{me.name} ({me.role})</span>
      </header>
      {projects.map((p) => <Flags key={p.key} project={p} />)}
    </main>
  );
};
