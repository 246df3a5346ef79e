// A single-page app: the gateway serves index.html for every path and the browser does the rest.
export const ssr = false;
export const prerender = false;
