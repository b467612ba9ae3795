//! A hub in memory and a whole sync over it, through the sans-IO API of `hotline_core::sync`:
//! every request and response is encoded to bytes and decoded on the other side, as on the wire.

use chrono::{DateTime, Utc};
use hotline_core::device::Device;
use hotline_core::sync::wire::{self, SignedRequest};
use hotline_core::sync::{Directory, SqliteHub, SyncClient, serve};

use crate::City;

/// A hub's store and the directory it hands out.
#[derive(Debug)]
pub struct MemoryHub {
    pub hub: SqliteHub,
    pub dir: Directory,
}

impl MemoryHub {
    /// The city's hub in `city.dir(name)`, trusting every certificate issued so far.
    pub fn new(city: &City, name: &str) -> MemoryHub {
        MemoryHub {
            hub: city.hub_store(&city.dir(name)),
            dir: city.directory(),
        }
    }

    /// Runs a whole sync of `dev` (calling the hub "hub"); returns the bytes sent each way.
    pub fn sync(&mut self, dev: &mut Device, now: DateTime<Utc>) -> (usize, usize) {
        let mut client = SyncClient::new(dev, "hub", None).unwrap();
        let (mut up, mut down) = (0, 0);
        for _ in 0..50 {
            let req = client.request(dev, now).unwrap();
            let bytes = wire::encode(&req).unwrap();
            up += bytes.len();
            let req: SignedRequest = wire::decode(&bytes).unwrap();
            let (resp, _) = serve(&mut self.hub, &self.dir, &req, now).unwrap();
            let bytes = wire::encode(&resp).unwrap();
            down += bytes.len();
            if client
                .response(dev, wire::decode(&bytes).unwrap(), now)
                .unwrap()
            {
                return (up, down);
            }
        }
        panic!("sync did not finish in 50 rounds");
    }
}
