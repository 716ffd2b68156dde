//! Provider tokens recognised by their shape alone, wherever they stand: a bare
//! argument, a URL's query or path, any variable, JSON, YAML or a `.env` line. The shapes
//! follow the formats gitleaks's rule definitions document (its rule ids are kept, for
//! reference), written here as this project's own table. A shape is a small regular
//! expression — literals, `[…]` classes, `(?:…|…)` groups, `{n}`, `{n,m}`, `{n,}`,
//! `?`, `+`, `\b` — that the tests also read to make an example of each token and a
//! near miss. A capturing group, where there is one, is the secret; otherwise the whole
//! token is. Where the format defines a checksum, a token must carry a valid one.
//!
//! Plain data and arithmetic only, with no imports, so that the integration tests can
//! plant the same tokens.

/// What a token must pass besides its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    None,
    /// GitHub's and npm's: the last six characters are the CRC-32 of the thirty before
    /// them, in base 62.
    Crc32Base62,
    /// PyPI's: the part after `pypi-` is a serialised macaroon (version 2).
    PypiMacaroon,
}

/// One token format.
pub struct Token {
    /// gitleaks's rule id, for reference.
    pub id: &'static str,
    /// What the report calls it.
    pub kind: &'static str,
    /// Literals one of which every such token holds, for the prefilter (case kept).
    pub triggers: &'static [&'static str],
    pub shape: &'static str,
    pub checksum: Checksum,
}

const fn t(
    id: &'static str,
    kind: &'static str,
    triggers: &'static [&'static str],
    shape: &'static str,
) -> Token {
    sum(id, kind, triggers, shape, Checksum::None)
}

const fn sum(
    id: &'static str,
    kind: &'static str,
    triggers: &'static [&'static str],
    shape: &'static str,
    checksum: Checksum,
) -> Token {
    Token {
        id,
        kind,
        triggers,
        shape,
        checksum,
    }
}

use Checksum::{Crc32Base62, PypiMacaroon};

/// The formats; where two can match the same token, the more specific comes first and
/// names it.
pub const TOKENS: &[Token] = &[
    t(
        "1password-secret-key",
        "1Password secret key",
        &["A3-"],
        r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
    ),
    t(
        "1password-service-account-token",
        "1Password service account token",
        &["ops_eyJ"],
        r"ops_eyJ[A-Za-z0-9+/]{250,}={0,3}",
    ),
    t(
        "adobe-client-secret",
        "Adobe client secret",
        &["p8e-"],
        r"p8e-[A-Za-z0-9]{32}",
    ),
    t(
        "age-secret-key",
        "age secret key",
        &["AGE-SECRET-KEY-1"],
        r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
    ),
    t(
        "airtable-personnal-access-token",
        "Airtable personal access token",
        &["pat"],
        r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}",
    ),
    t(
        "alibaba-access-key-id",
        "Alibaba Cloud access key",
        &["LTAI"],
        r"LTAI[A-Za-z0-9]{20}",
    ),
    t(
        "anthropic-admin-api-key",
        "Anthropic admin API key",
        &["sk-ant-admin01-"],
        r"sk-ant-admin01-[A-Za-z0-9_-]{93}AA",
    ),
    t(
        "anthropic-api-key",
        "Anthropic API key",
        &["sk-ant-api03-"],
        r"sk-ant-api03-[A-Za-z0-9_-]{93}AA",
    ),
    t(
        "artifactory-api-key",
        "Artifactory API key",
        &["AKCp"],
        r"AKCp[A-Za-z0-9]{69}",
    ),
    t(
        "artifactory-reference-token",
        "Artifactory reference token",
        &["cmVmd"],
        r"cmVmd[A-Za-z0-9]{59}",
    ),
    t(
        "authress-service-client-access-key",
        "Authress access key",
        &["sc_", "ext_", "scauth_", "authress_"],
        r"(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[a-z0-9+/_=-]{30,120}",
    ),
    t(
        "aws-access-token",
        "AWS access key",
        &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
        r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
    ),
    t(
        "aws-amazon-bedrock-api-key-long-lived",
        "Amazon Bedrock API key",
        &["ABSK"],
        r"ABSK[A-Za-z0-9+/]{109,269}={0,2}",
    ),
    t(
        "aws-amazon-bedrock-api-key-short-lived",
        "Amazon Bedrock API key",
        &["bedrock-api-key-"],
        r"bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%]*",
    ),
    t(
        "azure-ad-client-secret",
        "Azure AD client secret",
        &["Q~"],
        r"[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}",
    ),
    t(
        "clickhouse-cloud-api-secret-key",
        "ClickHouse Cloud API secret",
        &["4b1d"],
        r"4b1d[A-Za-z0-9]{38}",
    ),
    t(
        "clojars-api-token",
        "Clojars deploy token",
        &["CLOJARS_"],
        r"CLOJARS_[A-Za-z0-9]{60}",
    ),
    t(
        "cloudflare-origin-ca-key",
        "Cloudflare Origin CA key",
        &["v1.0-"],
        r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}",
    ),
    t(
        "databricks-api-token",
        "Databricks token",
        &["dapi"],
        r"dapi[a-f0-9]{32}(?:-[0-9])?",
    ),
    t(
        "digitalocean-access-token",
        "DigitalOcean OAuth token",
        &["doo_v1_"],
        r"doo_v1_[a-f0-9]{64}",
    ),
    t(
        "digitalocean-pat",
        "DigitalOcean personal access token",
        &["dop_v1_"],
        r"dop_v1_[a-f0-9]{64}",
    ),
    t(
        "digitalocean-refresh-token",
        "DigitalOcean refresh token",
        &["dor_v1_"],
        r"dor_v1_[a-f0-9]{64}",
    ),
    t(
        "doppler-api-token",
        "Doppler token",
        &[
            "dp.pt.",
            "dp.st.",
            "dp.ct.",
            "dp.sa.",
            "dp.scim.",
            "dp.audit.",
        ],
        r"dp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,44}",
    ),
    t(
        "duffel-api-token",
        "Duffel API token",
        &["duffel_"],
        r"duffel_(?:test|live)_[A-Za-z0-9_=-]{43}",
    ),
    t(
        "dynatrace-api-token",
        "Dynatrace API token",
        &["dt0c01."],
        r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}",
    ),
    t(
        "easypost-api-token",
        "EasyPost API key",
        &["EZAK"],
        r"EZAK[A-Za-z0-9]{54}",
    ),
    t(
        "easypost-test-api-token",
        "EasyPost test API key",
        &["EZTK"],
        r"EZTK[A-Za-z0-9]{54}",
    ),
    t(
        "facebook-page-access-token",
        "Facebook access token",
        &["EAAM", "EAAC"],
        r"EAA[MC][A-Za-z0-9]{100,}",
    ),
    t(
        "flutterwave-public-key",
        "Flutterwave public key",
        &["FLWPUBK"],
        r"FLWPUBK(?:_TEST)?-[a-hA-H0-9]{32}-X",
    ),
    t(
        "flutterwave-secret-key",
        "Flutterwave secret key",
        &["FLWSECK"],
        r"FLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X",
    ),
    t(
        "flutterwave-encryption-key",
        "Flutterwave encryption key",
        &["FLWSECK"],
        r"FLWSECK(?:_TEST)?-[a-hA-H0-9]{12}",
    ),
    t(
        "flyio-access-token",
        "Fly.io token",
        &["fo1_", "fm1a_", "fm1r_", "fm2_"],
        r"(?:fo1_[A-Za-z0-9_-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}={0,3}|fm2_[A-Za-z0-9+/]{100,}={0,3})",
    ),
    t(
        "frameio-api-token",
        "Frame.io API token",
        &["fio-u-"],
        r"fio-u-[A-Za-z0-9_=-]{64}",
    ),
    t(
        "gcp-api-key",
        "Google API key",
        &["AIza"],
        r"AIza[A-Za-z0-9_-]{35}",
    ),
    sum(
        "github-pat",
        "GitHub personal access token",
        &["ghp_"],
        r"ghp_[A-Za-z0-9]{36}",
        Crc32Base62,
    ),
    sum(
        "github-oauth",
        "GitHub OAuth token",
        &["gho_"],
        r"gho_[A-Za-z0-9]{36}",
        Crc32Base62,
    ),
    sum(
        "github-app-token",
        "GitHub app token",
        &["ghu_", "ghs_"],
        r"gh[us]_[A-Za-z0-9]{36}",
        Crc32Base62,
    ),
    sum(
        "github-refresh-token",
        "GitHub refresh token",
        &["ghr_"],
        r"ghr_[A-Za-z0-9]{36}",
        Crc32Base62,
    ),
    t(
        "github-fine-grained-pat",
        "GitHub fine-grained token",
        &["github_pat_"],
        r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
    ),
    t(
        "gitlab-cicd-job-token",
        "GitLab CI/CD job token",
        &["glcbt-"],
        r"glcbt-[A-Za-z0-9]{1,5}_[A-Za-z0-9_-]{20}",
    ),
    t(
        "gitlab-deploy-token",
        "GitLab deploy token",
        &["gldt-"],
        r"gldt-[A-Za-z0-9_-]{20}",
    ),
    t(
        "gitlab-feature-flag-client-token",
        "GitLab feature flag token",
        &["glffct-"],
        r"glffct-[A-Za-z0-9_-]{20}",
    ),
    t(
        "gitlab-feed-token",
        "GitLab feed token",
        &["glft-"],
        r"glft-[A-Za-z0-9_-]{20}",
    ),
    t(
        "gitlab-incoming-mail-token",
        "GitLab incoming mail token",
        &["glimt-"],
        r"glimt-[A-Za-z0-9_-]{25}",
    ),
    t(
        "gitlab-kubernetes-agent-token",
        "GitLab agent token",
        &["glagent-"],
        r"glagent-[A-Za-z0-9_-]{50}",
    ),
    t(
        "gitlab-oauth-app-secret",
        "GitLab OAuth application secret",
        &["gloas-"],
        r"gloas-[A-Za-z0-9_-]{64}",
    ),
    t(
        "gitlab-pat-routable",
        "GitLab personal access token",
        &["glpat-"],
        r"glpat-[A-Za-z0-9_-]{27,300}\.[a-z0-9]{9}",
    ),
    t(
        "gitlab-pat",
        "GitLab personal access token",
        &["glpat-"],
        r"glpat-[A-Za-z0-9_-]{20}",
    ),
    t(
        "gitlab-ptt",
        "GitLab pipeline trigger token",
        &["glptt-"],
        r"glptt-[a-f0-9]{40}",
    ),
    t(
        "gitlab-rrt",
        "GitLab runner registration token",
        &["GR1348941"],
        r"GR1348941[A-Za-z0-9_-]{20}",
    ),
    t(
        "gitlab-runner-authentication-token-routable",
        "GitLab runner token",
        &["glrt-t"],
        r"glrt-t[0-9]_[A-Za-z0-9_-]{27,300}\.[a-z0-9]{9}",
    ),
    t(
        "gitlab-runner-authentication-token",
        "GitLab runner token",
        &["glrt-"],
        r"glrt-[A-Za-z0-9_-]{20}",
    ),
    t(
        "gitlab-scim-token",
        "GitLab SCIM token",
        &["glsoat-"],
        r"glsoat-[A-Za-z0-9_-]{20}",
    ),
    t(
        "gitlab-session-cookie",
        "GitLab session cookie",
        &["_gitlab_session="],
        r"_gitlab_session=([a-z0-9]{32})",
    ),
    t(
        "grafana-api-key",
        "Grafana API key",
        &["eyJrIjoi"],
        r"eyJrIjoi[A-Za-z0-9]{70,400}={0,3}",
    ),
    t(
        "grafana-cloud-api-token",
        "Grafana Cloud token",
        &["glc_"],
        r"glc_[A-Za-z0-9+/]{32,400}={0,3}",
    ),
    t(
        "grafana-service-account-token",
        "Grafana service account token",
        &["glsa_"],
        r"glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}",
    ),
    t(
        "harness-api-key",
        "Harness API key",
        &["pat.", "sat."],
        r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}",
    ),
    t(
        "hashicorp-tf-api-token",
        "Terraform Cloud token",
        &[".atlasv1."],
        r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}",
    ),
    t(
        "heroku-api-key-v2",
        "Heroku API key",
        &["HRKU-AA"],
        r"HRKU-AA[A-Za-z0-9_-]{58}",
    ),
    t(
        "huggingface-access-token",
        "Hugging Face token",
        &["hf_"],
        r"hf_[A-Za-z]{34}",
    ),
    t(
        "huggingface-organization-api-token",
        "Hugging Face organisation token",
        &["api_org_"],
        r"api_org_[A-Za-z]{34}",
    ),
    t(
        "infracost-api-token",
        "Infracost API key",
        &["ico-"],
        r"ico-[A-Za-z0-9]{32}",
    ),
    t(
        "intra42-client-secret",
        "42 Intra client secret",
        &["s-s4t2"],
        r"s-s4t2(?:ud|af)-[a-f0-9]{64}",
    ),
    t(
        "linear-api-key",
        "Linear API key",
        &["lin_api_"],
        r"lin_api_[A-Za-z0-9]{40}",
    ),
    t(
        "maxmind-license-key",
        "MaxMind licence key",
        &["_mmk"],
        r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk",
    ),
    t(
        "microsoft-teams-webhook",
        "Microsoft Teams webhook",
        &["webhook.office.com"],
        r"[a-z0-9]+\.webhook\.office\.com/webhookb2/([a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}@[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}/IncomingWebhook/[a-f0-9]{32}/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})",
    ),
    t(
        "notion-api-token",
        "Notion API token",
        &["ntn_"],
        r"ntn_[0-9]{11}[A-Za-z0-9]{35}",
    ),
    sum(
        "npm-access-token",
        "npm token",
        &["npm_"],
        r"npm_[A-Za-z0-9]{36}",
        Crc32Base62,
    ),
    t(
        "octopus-deploy-api-key",
        "Octopus Deploy API key",
        &["API-"],
        r"API-[A-Z0-9]{26}\b",
    ),
    t(
        "openai-api-key",
        "OpenAI API key",
        &["T3BlbkFJ"],
        r"sk-(?:(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})",
    ),
    t(
        "openshift-user-token",
        "OpenShift token",
        &["sha256~"],
        r"sha256~[A-Za-z0-9_-]{43}",
    ),
    t(
        "perplexity-api-key",
        "Perplexity API key",
        &["pplx-"],
        r"pplx-[A-Za-z0-9]{48}",
    ),
    t(
        "planetscale-api-token",
        "PlanetScale token",
        &["pscale_tkn_"],
        r"pscale_tkn_[A-Za-z0-9_=.-]{32,64}",
    ),
    t(
        "planetscale-oauth-token",
        "PlanetScale OAuth token",
        &["pscale_oauth_"],
        r"pscale_oauth_[A-Za-z0-9_=.-]{32,64}",
    ),
    t(
        "planetscale-password",
        "PlanetScale password",
        &["pscale_pw_"],
        r"pscale_pw_[A-Za-z0-9_=.-]{32,64}",
    ),
    t(
        "postman-api-token",
        "Postman API key",
        &["PMAK-"],
        r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}",
    ),
    t(
        "prefect-api-token",
        "Prefect API key",
        &["pnu_"],
        r"pnu_[A-Za-z0-9]{36}",
    ),
    t(
        "pulumi-api-token",
        "Pulumi access token",
        &["pul-"],
        r"pul-[a-f0-9]{40}",
    ),
    sum(
        "pypi-upload-token",
        "PyPI token",
        &["pypi-AgEIcHlwaS5vcmc"],
        r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        PypiMacaroon,
    ),
    t(
        "readme-api-token",
        "ReadMe API key",
        &["rdme_"],
        r"rdme_[a-z0-9]{70}",
    ),
    t(
        "rubygems-api-token",
        "RubyGems API key",
        &["rubygems_"],
        r"rubygems_[a-f0-9]{48}",
    ),
    t(
        "scalingo-api-token",
        "Scalingo API token",
        &["tk-us-"],
        r"tk-us-[A-Za-z0-9_-]{48}",
    ),
    t(
        "sendgrid-api-token",
        "SendGrid API key",
        &["SG."],
        r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",
    ),
    t(
        "sendinblue-api-token",
        "Brevo (Sendinblue) API key",
        &["xkeysib-"],
        r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}",
    ),
    t(
        "sentry-org-token",
        "Sentry organisation token",
        &["sntrys_eyJ"],
        r"sntrys_eyJpYXQiO[A-Za-z0-9+/=]{40,400}_[A-Za-z0-9+/]{43}",
    ),
    t(
        "sentry-user-token",
        "Sentry user token",
        &["sntryu_"],
        r"sntryu_[a-f0-9]{64}",
    ),
    t(
        "settlemint-application-access-token",
        "SettleMint application token",
        &["sm_aat_"],
        r"sm_aat_[A-Za-z0-9]{16}",
    ),
    t(
        "settlemint-personal-access-token",
        "SettleMint personal token",
        &["sm_pat_"],
        r"sm_pat_[A-Za-z0-9]{16}",
    ),
    t(
        "settlemint-service-access-token",
        "SettleMint service token",
        &["sm_sat_"],
        r"sm_sat_[A-Za-z0-9]{16}",
    ),
    t(
        "shippo-api-token",
        "Shippo API token",
        &["shippo_"],
        r"shippo_(?:live|test)_[a-fA-F0-9]{40}",
    ),
    t(
        "shopify-access-token",
        "Shopify access token",
        &["shpat_"],
        r"shpat_[a-fA-F0-9]{32}",
    ),
    t(
        "shopify-custom-access-token",
        "Shopify custom app token",
        &["shpca_"],
        r"shpca_[a-fA-F0-9]{32}",
    ),
    t(
        "shopify-private-app-access-token",
        "Shopify private app token",
        &["shppa_"],
        r"shppa_[a-fA-F0-9]{32}",
    ),
    t(
        "shopify-shared-secret",
        "Shopify shared secret",
        &["shpss_"],
        r"shpss_[a-fA-F0-9]{32}",
    ),
    t(
        "sidekiq-sensitive-url",
        "Sidekiq Enterprise credentials",
        &["contribsys.com"],
        r"https?://([a-f0-9]{8}:[a-f0-9]{8})@(?:gems|enterprise)\.contribsys\.com",
    ),
    t(
        "slack-app-token",
        "Slack app token",
        &["xapp-"],
        r"xapp-[0-9]-[A-Za-z0-9]+-[0-9]+-[A-Za-z0-9]+",
    ),
    t(
        "slack-bot-token",
        "Slack bot token",
        &["xoxb-"],
        r"xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24}",
    ),
    t(
        "slack-legacy-bot-token",
        "Slack bot token",
        &["xoxb-"],
        r"xoxb-[0-9]{8,14}-[A-Za-z0-9]{18,26}",
    ),
    t(
        "slack-config-access-token",
        "Slack configuration token",
        &["xoxe.xox"],
        r"xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{163,166}",
    ),
    t(
        "slack-config-refresh-token",
        "Slack configuration refresh token",
        &["xoxe-"],
        r"xoxe-[0-9]-[A-Za-z0-9]{146}",
    ),
    t(
        "slack-legacy-token",
        "Slack legacy token",
        &["xoxo-", "xoxs-"],
        r"xox[os]-[0-9]+-[0-9]+-[0-9]+-[a-fA-F0-9]+",
    ),
    t(
        "slack-user-token",
        "Slack user token",
        &["xoxp-", "xoxe-"],
        r"xox[pe](?:-[0-9]{10,13}){3}-[A-Za-z0-9-]{28,34}",
    ),
    t(
        "slack-legacy-workspace-token",
        "Slack workspace token",
        &["xoxa-", "xoxr-"],
        r"xox[ar]-(?:[0-9]-)?[A-Za-z0-9]{8,48}",
    ),
    t(
        "slack-webhook-url",
        "Slack webhook",
        &["hooks.slack.com"],
        r"hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9+/]{43,56})",
    ),
    t(
        "sourcegraph-access-token",
        "Sourcegraph access token",
        &["sgp_"],
        r"sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}",
    ),
    t(
        "square-access-token",
        "Square access token",
        &["sq0atp-", "EAAA"],
        r"(?:EAAA|sq0atp-)[A-Za-z0-9_-]{22,60}",
    ),
    t(
        "square-secret",
        "Square application secret",
        &["sq0csp-"],
        r"sq0csp-[A-Za-z0-9_-]{43}",
    ),
    t(
        "stripe-access-token",
        "Stripe API key",
        &[
            "sk_test_", "sk_live_", "sk_prod_", "rk_test_", "rk_live_", "rk_prod_",
        ],
        r"(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}",
    ),
    t(
        "twilio-api-key",
        "Twilio API key",
        &["SK"],
        r"SK[0-9a-fA-F]{32}\b",
    ),
    t(
        "vault-batch-token",
        "Vault batch token",
        &["hvb."],
        r"hvb\.[A-Za-z0-9_-]{138,300}",
    ),
    t(
        "vault-service-token",
        "Vault token",
        &["hvs."],
        r"hvs\.[A-Za-z0-9_-]{24,}",
    ),
    t(
        "defined-networking-api-token",
        "Defined Networking API token",
        &["dnkey-"],
        r"dnkey-[A-Za-z0-9=_-]{26}-[A-Za-z0-9=_-]{52}",
    ),
    t(
        "dropbox-short-lived-api-token",
        "Dropbox token",
        &["sl."],
        r"sl\.[A-Za-z0-9_=-]{130,}",
    ),
    t(
        "twitter-bearer-token",
        "Twitter bearer token",
        &["AAAAAAAAAAAAAAAAAAAAA"],
        r"A{22}[A-Za-z0-9%]{80,100}",
    ),
    t(
        "dropbox-long-lived-api-token",
        "Dropbox token",
        &["AAAAAAAAAA"],
        r"[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43}",
    ),
    t(
        "gocardless-api-token",
        "GoCardless access token",
        &["live_"],
        r"live_[A-Za-z0-9_=-]{40}",
    ),
    t(
        "lob-pub-api-key",
        "Lob publishable key",
        &["live_pub_", "test_pub_"],
        r"(?:live|test)_pub_[a-f0-9]{31}",
    ),
    t(
        "lob-api-key",
        "Lob API key",
        &["live_", "test_"],
        r"(?:live|test)_[a-f0-9]{35}",
    ),
    t(
        "mailchimp-api-key",
        "Mailchimp API key",
        &[
            "-us1", "-us2", "-us3", "-us4", "-us5", "-us6", "-us7", "-us8", "-us9",
        ],
        r"[a-f0-9]{32}-us[1-9][0-9]?\b",
    ),
    t(
        "mailgun-pub-key",
        "Mailgun public key",
        &["pubkey-"],
        r"pubkey-[a-f0-9]{32}",
    ),
    t(
        "mailgun-private-api-token",
        "Mailgun API key",
        &["key-"],
        r"key-[a-f0-9]{32}",
    ),
    t(
        "mapbox-api-token",
        "Mapbox token",
        &["pk.", "sk."],
        r"(?:pk|sk)\.[A-Za-z0-9]{60}\.[A-Za-z0-9_-]{22}",
    ),
    t(
        "new-relic-user-api-key",
        "New Relic user API key",
        &["NRAK-"],
        r"NRAK-[A-Za-z0-9]{27}",
    ),
    t(
        "new-relic-insert-key",
        "New Relic insert key",
        &["NRII-"],
        r"NRII-[A-Za-z0-9-]{32}",
    ),
    t(
        "new-relic-browser-api-token",
        "New Relic browser key",
        &["NRJS-"],
        r"NRJS-[a-f0-9]{19}",
    ),
    t(
        "plaid-api-token",
        "Plaid access token",
        &[
            "access-sandbox-",
            "access-development-",
            "access-production-",
        ],
        r"access-(?:sandbox|development|production)-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
    ),
    t(
        "sonar-api-token",
        "SonarQube token",
        &["squ_", "sqp_", "sqa_"],
        r"sq[upa]_[a-f0-9]{40}",
    ),
    t(
        "telegram-bot-api-token",
        "Telegram bot token",
        &[":AA"],
        r"[0-9]{5,16}:AA[A-Za-z0-9_-]{33}",
    ),
    t(
        "typeform-api-token",
        "Typeform token",
        &["tfp_"],
        r"tfp_[A-Za-z0-9_.=-]{59}",
    ),
    t(
        "yandex-access-token",
        "Yandex OAuth token",
        &["t1."],
        r"t1\.[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]{86}={0,2}",
    ),
    t(
        "yandex-api-key",
        "Yandex API key",
        &["AQVN"],
        r"AQVN[A-Za-z0-9_-]{35,38}",
    ),
    t(
        "jwt-base64",
        "JSON Web Token (base64)",
        &["ZXlKaGJHY2lPaU"],
        r"ZXlKaGJHY2lPaU[A-Za-z0-9+/]{40,}={0,2}",
    ),
    t(
        "jwt",
        "JSON Web Token",
        &["eyJ"],
        r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
    ),
    t(
        "slack-token",
        "Slack token",
        &["xox"],
        r"xox[abeoprs]-[A-Za-z0-9-]{10,}",
    ),
    t(
        "openai-style-api-key",
        "OpenAI/Anthropic API key",
        &["sk-"],
        r"sk-[A-Za-z0-9_-]{20,}",
    ),
];

/// CRC-32 (IEEE 802.3), bit by bit: tokens are short.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// `n` in base 62 (digits, then upper, then lower case), six characters, zero-padded.
pub fn base62_6(mut n: u32) -> [u8; 6] {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// A GitHub or npm token (`prefix_` then 36 characters) whose last six characters are
/// the checksum of the thirty before them.
pub fn crc32_base62_ok(token: &[u8]) -> bool {
    let Some(underscore) = token.iter().position(|&b| b == b'_') else {
        return false;
    };
    let Some(body) = token.get(underscore + 1..underscore + 37) else {
        return false;
    };
    let (payload, check) = body.split_at(30);
    base62_6(crc32(payload)) == check
}
