//! An optional, bounded cache of GET answers, revalidated with
//! `If-None-Match`: a `304 Not Modified` is answered from the cache.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use bytes::Bytes;

/// Answers larger than this are not cached.
const MAX_BODY: usize = 1 << 20;

#[derive(Debug)]
pub(crate) struct EtagCache {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<String, (String, Bytes)>,
    /// Keys from least to most recently stored.
    order: VecDeque<String>,
}

impl EtagCache {
    pub(crate) fn new(capacity: usize) -> Self {
        EtagCache {
            capacity: capacity.max(1),
            inner: Mutex::new(Entries::default()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The ETag and body stored for `key`.
    pub(crate) fn get(&self, key: &str) -> Option<(String, Bytes)> {
        self.entries().map.get(key).cloned()
    }

    /// Stores an answer, evicting the oldest entries beyond the capacity.
    pub(crate) fn put(&self, key: String, etag: String, body: Bytes) {
        if body.len() > MAX_BODY {
            return;
        }
        let mut e = self.entries();
        if e.map.insert(key.clone(), (etag, body)).is_some() {
            e.order.retain(|k| *k != key);
        }
        e.order.push_back(key);
        while e.order.len() > self.capacity {
            if let Some(old) = e.order.pop_front() {
                e.map.remove(&old);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries().map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_bounded() {
        let c = EtagCache::new(2);
        for i in 0..5 {
            c.put(format!("k{i}"), format!("e{i}"), Bytes::from_static(b"{}"));
        }
        assert_eq!(c.len(), 2);
        assert!(c.get("k0").is_none());
        assert_eq!(c.get("k4").unwrap().0, "e4");
        c.put(
            "big".into(),
            "e".into(),
            Bytes::from(vec![0u8; MAX_BODY + 1]),
        );
        assert!(c.get("big").is_none());
    }
}
