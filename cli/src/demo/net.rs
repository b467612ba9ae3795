//! Each device syncs with the running hub over real HTTP on loopback.

use chrono::{DateTime, Utc};
use hotline_core::sync::http::{CancelToken, sync_with_hub};

use super::cast::Member;
use super::narrate::Narrator;
use crate::output::CliError;

pub struct Net {
    pub url: String,
}

impl Net {
    pub async fn sync(
        &self,
        m: &mut Member,
        t: DateTime<Utc>,
        say: &mut Narrator,
    ) -> Result<(), CliError> {
        let report = sync_with_hub(
            &mut m.device,
            &self.url,
            None,
            &mut |_| {},
            &CancelToken::new(),
        )
        .await?;
        say.synced(t, m, report.progress.pushed, report.progress.pulled);
        Ok(())
    }
}
