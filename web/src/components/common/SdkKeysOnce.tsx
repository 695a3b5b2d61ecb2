import { CopySecret } from './CopySecret';

/** The SDK keys of new environments: the server answers with them once, so the console shows them at once. */
export const SdkKeysOnce = ({ keys, onDone }: { keys: { environment: string; sdkKey: string }[]; onDone: () => void }) => (
  <>
    {keys.map(({ environment, sdkKey }) => (
      <CopySecret key={environment} label={`SDK key of ${environment}`} secret={sdkKey} />
    ))}
    <div className="dialog-actions">
      <button type="button" className="btn btn-primary" onClick={onDone}>
        Done
      </button>
    </div>
  </>
);
