import { useEffect, useState } from "react";
import type { ApiClient, AppPassword, AppPasswordList } from "./api/client";

export interface AppPasswordsState {
  readonly list: AppPasswordList | undefined;
  readonly error: unknown;
  /** Bumped on every load, so views that derive from the list (activity) reload too. */
  readonly version: number;
  /** Loads the list again; the state follows when it answers. */
  reload(): void;
  remove(item: AppPassword): Promise<void>;
  removeAll(): Promise<void>;
  rename(item: AppPassword, name: string): Promise<void>;
}

interface Loaded {
  readonly list?: AppPasswordList;
  readonly error?: unknown;
  readonly version: number;
}

/** The app passwords of `user` (`me` or a person an administrator found), loaded once `ready`. */
export function useAppPasswords(api: ApiClient, user: string, ready = true): AppPasswordsState {
  const [loaded, setLoaded] = useState<Loaded>({ version: 0 });
  const [requested, setRequested] = useState(0);

  useEffect(() => {
    if (!ready) return;
    let current = true;
    api.list(user).then(
      (list) => current && setLoaded((state) => ({ list, version: state.version + 1 })),
      (error: unknown) => current && setLoaded((state) => ({ error, version: state.version + 1 })),
    );
    return () => {
      current = false;
    };
  }, [api, user, ready, requested]);

  const reload = () => setRequested((count) => count + 1);
  return {
    list: loaded.list,
    error: loaded.error,
    version: loaded.version,
    reload,
    remove: async (item) => {
      await api.remove(user, item.id);
      reload();
    },
    removeAll: async () => {
      await api.removeAll(user);
      reload();
    },
    rename: async (item, name) => {
      await api.rename(user, item.id, name);
      reload();
    },
  };
}
