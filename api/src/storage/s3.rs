//! The S3 store (AWS or any S3-compatible server) via aws-sdk-s3.
//!
//! The client is built once. Credentials come from the standard AWS chain
//! (environment, profiles, instance roles); the endpoint and path-style
//! addressing are configurable for S3-compatible servers.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, meta::region::ProvideRegion};
use aws_sdk_s3::{
    Client,
    error::{DisplayErrorContext, SdkError},
    presigning::PresigningConfig,
    primitives::ByteStream,
};
use url::Url;

use super::{Blob, BlobKey, BlobStore, StorageError, check_content_type, check_ttl};
use crate::config::S3Config;

/// Region used with a custom endpoint when none is configured: S3-compatible
/// servers ignore it, but SigV4 needs one.
pub const DEFAULT_ENDPOINT_REGION: &str = "us-east-1";

/// Blobs in one S3 bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
}

impl S3Store {
    /// Builds the client from `S3_*` settings and the AWS chain. The region
    /// is `S3_REGION`, else the AWS chain's; with a custom endpoint and no
    /// region anywhere, `us-east-1`.
    pub async fn from_config(config: &S3Config) -> Result<Self, StorageError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &config.region {
            loader = loader.region(Region::new(region.clone()));
        } else if config.endpoint.is_some() {
            // Environment first, so AWS_REGION still wins; skip the instance
            // metadata lookup, which only stalls away from EC2.
            let env = aws_config::environment::EnvironmentVariableRegionProvider::new();
            let region = env
                .region()
                .await
                .unwrap_or_else(|| Region::new(DEFAULT_ENDPOINT_REGION));
            loader = loader.region(region);
        }
        let sdk = loader.load().await;
        if sdk.region().is_none() {
            return Err(StorageError::Config(
                "no AWS region: set S3_REGION (or AWS_REGION)".to_owned(),
            ));
        }
        let mut builder =
            aws_sdk_s3::config::Builder::from(&sdk).force_path_style(config.force_path_style);
        if let Some(endpoint) = &config.endpoint {
            // `Url` always renders a trailing slash; the SDK would then
            // produce `//bucket/key` paths.
            builder = builder.endpoint_url(endpoint.as_str().trim_end_matches('/'));
        }
        Ok(Self {
            client: Client::from_conf(builder.build()),
            bucket: config.bucket.clone(),
        })
    }

    /// The bucket objects go to.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

fn s3_error<E, R>(op: &'static str, key: &BlobKey, err: &SdkError<E, R>) -> StorageError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    StorageError::S3 {
        op,
        key: key.to_string(),
        message: DisplayErrorContext(err).to_string(),
    }
}

fn is_404<E>(err: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> bool {
    err.raw_response()
        .is_some_and(|r| r.status().as_u16() == 404)
}

#[async_trait::async_trait]
impl BlobStore for S3Store {
    async fn put(
        &self,
        key: &BlobKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StorageError> {
        check_content_type(content_type)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| s3_error("put", key, &e))?;
        Ok(())
    }

    async fn get(&self, key: &BlobKey) -> Result<Blob, StorageError> {
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(output) => output,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) || is_404(&e) => {
                return Err(StorageError::NotFound(key.to_string()));
            }
            Err(e) => return Err(s3_error("get", key, &e)),
        };
        let content_type = output
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = output
            .body
            .collect()
            .await
            .map_err(|e| StorageError::S3 {
                op: "get",
                key: key.to_string(),
                message: e.to_string(),
            })?
            .into_bytes()
            .to_vec();
        Ok(Blob {
            bytes,
            content_type,
        })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        match self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            // S3 answers 204 for a missing key; some compatible servers 404.
            Ok(_) => Ok(()),
            Err(e) if is_404(&e) => Ok(()),
            Err(e) => Err(s3_error("delete", key, &e)),
        }
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) || is_404(&e) => {
                Ok(false)
            }
            Err(e) => Err(s3_error("head", key, &e)),
        }
    }

    async fn signed_url(&self, key: &BlobKey, ttl: Duration) -> Result<Url, StorageError> {
        check_ttl(ttl)?;
        let presigning = PresigningConfig::expires_in(ttl).map_err(|_| StorageError::Ttl)?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .presigned(presigning)
            .await
            .map_err(|e| s3_error("presign", key, &e))?;
        Url::parse(request.uri()).map_err(|e| StorageError::S3 {
            op: "presign",
            key: key.to_string(),
            message: e.to_string(),
        })
    }
}
