//! A reader whose bytes are hashed on another thread, so that computing a layer digest
//! overlaps with parsing the tar (hashing is most of the cost of a walk on two cores).

use std::io::{self, Read};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

const CHUNK: usize = 256 * 1024;
/// Chunks in flight: bounds the memory between the two threads to 2 MiB.
const IN_FLIGHT: usize = 8;

pub(crate) struct BackgroundHashed {
    chunks: Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    position: usize,
    hasher: Option<JoinHandle<(String, u64)>>,
}

impl BackgroundHashed {
    /// Starts reading `source` on a new thread, hashing every byte in order.
    pub(crate) fn spawn(mut source: Box<dyn Read + Send>) -> Self {
        let (sender, chunks) = sync_channel(IN_FLIGHT);
        let hasher = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            let mut count = 0u64;
            loop {
                let mut chunk = vec![0u8; CHUNK];
                match read_up_to(&mut source, &mut chunk) {
                    Ok(0) => break,
                    Ok(n) => {
                        chunk.truncate(n);
                        hasher.update(&chunk);
                        count += n as u64;
                        // A closed channel means the reader gave up: stop quietly.
                        if sender.send(Ok(chunk)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = sender.send(Err(e));
                        break;
                    }
                }
            }
            (format!("sha256:{}", hex::encode(hasher.finalize())), count)
        });
        Self {
            chunks,
            current: Vec::new(),
            position: 0,
            hasher: Some(hasher),
        }
    }

    /// Reads what is left, so the digest covers every byte, and returns digest and length.
    pub(crate) fn finish(mut self) -> io::Result<(String, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        self.hasher
            .take()
            .map(|h| h.join())
            .transpose()
            .map_err(|_| io::Error::other("the hashing thread panicked"))?
            .ok_or_else(|| io::Error::other("digest already taken"))
    }
}

impl Read for BackgroundHashed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.position == self.current.len() {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    self.current = chunk;
                    self.position = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.position);
        buf[..n].copy_from_slice(&self.current[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

fn read_up_to(source: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_every_byte_in_order() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut reader = BackgroundHashed::spawn(Box::new(io::Cursor::new(data.clone())));
        let mut head = vec![0u8; 1000];
        reader.read_exact(&mut head).unwrap();
        assert_eq!(head, data[..1000]);
        let (digest, count) = reader.finish().unwrap();
        assert_eq!(count, data.len() as u64);
        assert_eq!(
            digest,
            format!("sha256:{}", hex::encode(Sha256::digest(&data)))
        );
    }

    #[test]
    fn read_errors_reach_the_reader() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let mut reader = BackgroundHashed::spawn(Box::new(Failing));
        let err = reader.read(&mut [0u8; 10]).unwrap_err();
        assert!(err.to_string().contains("disk on fire"));
    }
}
