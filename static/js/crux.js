// Crux's small client-side helpers. No build step; htmx does the requests.
"use strict";
