package dispatch

import "github.com/baseflow/baseflow/internal/httpkit"

// HTTPError is an unexpected HTTP response from a backend: Method, URL (the request path,
// without host or query), StatusCode, Status ("503 Service Unavailable") and the server's
// Message (trimmed). It never holds credentials: the message is scrubbed of the token before
// it gets here. It is the one error type of every REST client of this module (the GitHub
// source's HTTPError is the same type); a 404 matches fs.ErrNotExist.
type HTTPError = httpkit.Error
