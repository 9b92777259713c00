import { app } from "@azure/functions";
import { getServices } from "./shared/services";

// The Functions host loads this with the function files (`main` in package.json): the services are built
// when the worker starts, so a bad setting fails at once with a message naming it, not at the first request.
app.hook.appStart(() => {
  getServices();
});
