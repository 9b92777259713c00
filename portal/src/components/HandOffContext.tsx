import { createContext, useContext, type ReactNode } from "react";
import type { ApiClient, NewAppPassword } from "../api/client";
import type { DeviceSetupInput, MailSettings } from "../setup/deviceSetupInput";

/** What a hand-off needs beyond the new password: the API, the person's login name, the tenant's mail settings. */
export interface HandOffEnvironment {
  readonly api: Pick<ApiClient, "createHandoff" | "deleteHandoff">;
  readonly loginName: string;
  readonly mail: MailSettings;
}

const HandOffContext = createContext<HandOffEnvironment | undefined>(undefined);

/** Offers hand-offs to the dialogs below it that show a new password; without it they offer none. */
export function HandOffProvider({ children, ...environment }: HandOffEnvironment & { readonly children: ReactNode }) {
  return <HandOffContext.Provider value={environment}>{children}</HandOffContext.Provider>;
}

/** The hand-off's environment, if the page offers hand-offs here. */
export const useHandOffEnvironment = () => useContext(HandOffContext);

/** The device set-up of a new app password for the signed-in person; undefined where hand-offs are not offered. */
export function useDeviceSetup(appPassword: NewAppPassword): DeviceSetupInput | undefined {
  const environment = useHandOffEnvironment();
  if (environment === undefined) return undefined;
  return {
    loginName: environment.loginName,
    appPasswordName: appPassword.name,
    password: appPassword.password,
    ...(appPassword.protocols !== undefined && { protocols: appPassword.protocols }),
    mail: environment.mail,
  };
}
