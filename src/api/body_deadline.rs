//! A deadline for reading a request body. A client that trickles its body (a byte every
//! few seconds) holds a connection, a file descriptor and a worker's attention for as
//! long as it likes; past the deadline the read fails and the request is answered 408
//! (headers have their own, shorter deadline in the server: `client_request_timeout`).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::Stream;

/// Puts the deadline on the request's body, if it has one.
pub fn apply(req: &mut ServiceRequest, deadline: Duration) {
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0");
    if has_body {
        let payload = req.take_payload();
        req.set_payload(with_deadline(payload, deadline));
    }
}

fn with_deadline(mut inner: Payload, deadline: Duration) -> Payload {
    let mut timer = Box::pin(tokio::time::sleep(deadline));
    let mut expired = false;
    let stream = futures_util::stream::poll_fn(move |cx| {
        if expired {
            return Poll::Ready(None);
        }
        if timer.as_mut().poll(cx).is_ready() {
            expired = true;
            return Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request body took too long to arrive",
            )))));
        }
        Pin::new(&mut inner).poll_next(cx)
    });
    let boxed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(stream);
    Payload::from(boxed)
}

/// Whether a body error is this deadline passing.
pub fn expired(err: &PayloadError) -> bool {
    matches!(err, PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
}
