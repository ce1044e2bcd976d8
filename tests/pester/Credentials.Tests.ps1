# The credential chain end to end through the cmdlets: every source, every precedence rule, contexts, refresh, secrecy.
# Long on purpose: the sources share one set of loopback fixtures (STS, metadata) and one emulator, started once here;
# each Describe is one source or rule and stands alone.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/CredentialFixtures.ps1

    $script:emu = Start-FcEmulator -Function @{ 'echo' = { param($Event) $Event } }
    function New-TestKey([string] $Suffix) {
        @{ Id = "LTAI$([guid]::NewGuid().ToString('N').Substring(0, 10))$Suffix"; Secret = "sec$([guid]::NewGuid().ToString('N'))" }
    }
    function ConvertTo-TestCredential($Key) {
        [pscredential]::new($Key.Id, (ConvertTo-SecureString $Key.Secret -AsPlainText -Force))
    }
    # Keys the emulator accepts, one per source so a test can tell which one was used (by the last 4 characters).
    $script:keys = @{}
    foreach ($name in 'ENV1', 'DEV1', 'PRD1', 'INI1', 'SES1', 'CTX1', 'PRM1') {
        $keys[$name] = New-TestKey $name
        Add-FcTestEmulatorKey $emu $keys[$name].Id $keys[$name].Secret
    }
    $keys['BAD1'] = New-TestKey 'BAD1'  # never accepted: precedence picking it makes the call fail

    $script:sts = Start-FcTestHttpFixture -Handler $StsHandler -State @{ Emulator = $emu; AccountId = '1357924680' }
    $script:roleArn = 'acs:ram::2468013579:role/fc-invoker'

    function Reset-FcTestEnvironment {
        foreach ($name in @(Get-ChildItem env: | Where-Object Name -like 'ALIBABA_CLOUD_*').Name) { Remove-Item "env:$name" }
        Remove-Item env:FCINVOKE_ECS_METADATA_ENDPOINT -ErrorAction SilentlyContinue
        $env:ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
        $script:testHome = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $testHome
        $env:HOME = $testHome
        $env:USERPROFILE = $testHome
        Disconnect-FcAccount
        $sts.State.Fail = $null
        $sts.State.LifetimeSec = 3600
        $sts.State.Hold = $null
        $sts.Requests.Clear()
    }
    function Write-CliConfig([string] $Current, [object[]] $Profiles, [string] $Path = (Join-Path $testHome '.aliyun/config.json')) {
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $Path)
        @{ current = $Current; profiles = $Profiles; meta_path = '' } | ConvertTo-Json -Depth 5 | Set-Content -Path $Path
    }
    function Write-Ini([string] $Text, [string] $Path = (Join-Path $testHome '.alibabacloud/credentials')) {
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $Path)
        Set-Content -Path $Path -Value $Text
    }
    function Get-ErrorOf([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }
    $script:at = @{ Endpoint = $emu.Endpoint }
}

AfterAll {
    $sts | Stop-FcTestHttpFixture
    Disconnect-FcAccount   # before stopping the emulator the session context may point at (stopping it would clear it, with a warning)
    $emu | Stop-FcEmulator
}

Describe 'The loopback guard of the test run' {
    BeforeEach { Reset-FcTestEnvironment }

    It 'refuses an FC call to a cloud endpoint before anything is sent' {
        $err = Get-ErrorOf { Invoke-FcFunction echo -Region cn-hangzhou -AccountId 123456 -Credential (ConvertTo-TestCredential $keys.PRM1) -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcLoopbackOnly,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -Match 'https://123456\.cn-hangzhou\.fc\.aliyuncs\.com.*Nothing was sent'
    }

    It 'refuses the real STS host and the real metadata address' {
        $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $keys.ENV1.Id; $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = $keys.ENV1.Secret
        (Get-ErrorOf { Connect-FcAccount -RamRoleArn $roleArn @at -ErrorAction Stop }).Exception.Message | Should -Match 'https://sts\.aliyuncs\.com'
        (Get-ErrorOf { Connect-FcAccount -EcsRamRole ops @at -ErrorAction Stop }).Exception.Message | Should -Match 'http://100\.100\.100\.200'
    }

    It 'refuses a credentials URI that is not on loopback' {
        $env:ALIBABA_CLOUD_CREDENTIALS_URI = 'http://198.51.100.7/creds?token=guard-query-secret'
        $err = Get-ErrorOf { Invoke-FcFunction echo @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcLoopbackOnly,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err.Exception.Message | Should -Match 'http://198\.51\.100\.7.*Nothing was sent'
    }
}

Describe 'The default credential chain' {
    BeforeEach { Reset-FcTestEnvironment }

    It 'takes ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN from the environment first' {
        Write-CliConfig dev @(@{ name = 'dev'; mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret })
        $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $keys.ENV1.Id; $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = $keys.ENV1.Secret
        (Invoke-FcFunction echo 'env' @at).Result | Should -Be 'env'
        $ctx = Connect-FcAccount @at
        $ctx.Source | Should -Be 'Environment'
        $ctx.AccessKeyId | Should -Match '^\*+ENV1$'
        $ctx.IsTemporary | Should -BeFalse
        $env:ALIBABA_CLOUD_SECURITY_TOKEN = 'env-token-value'
        (Connect-FcAccount @at).IsTemporary | Should -BeTrue
    }

    It 'assumes a role with OIDC from ALIBABA_CLOUD_ROLE_ARN, _OIDC_PROVIDER_ARN and _OIDC_TOKEN_FILE, unsigned' {
        $tokenFile = Join-Path $testHome 'oidc-token'
        Set-Content -Path $tokenFile -Value 'eyJoidc.token.value' -NoNewline
        $env:ALIBABA_CLOUD_ROLE_ARN = $roleArn
        $env:ALIBABA_CLOUD_OIDC_PROVIDER_ARN = 'acs:ram::2468013579:oidc-provider/ack-rrsa'
        $env:ALIBABA_CLOUD_OIDC_TOKEN_FILE = $tokenFile
        $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url
        Write-Ini "[default]`ntype = access_key`naccess_key_id = $($keys.INI1.Id)`naccess_key_secret = $($keys.INI1.Secret)"
        (Invoke-FcFunction echo 'oidc' @at).Result | Should -Be 'oidc'
        $request = @($sts.Requests)[-1]
        $request.Query.Action | Should -Be 'AssumeRoleWithOIDC'
        $request.Query.Version | Should -Be '2015-04-01'
        $request.Query.Keys | Should -Not -Contain 'Signature'
        $request.Query.Keys | Should -Not -Contain 'AccessKeyId'
        $request.Form.OIDCToken | Should -Be 'eyJoidc.token.value'
        $request.Form.RoleArn | Should -Be $roleArn
        $request.Form.OIDCProviderArn | Should -Be 'acs:ram::2468013579:oidc-provider/ack-rrsa'
        $ctx = Connect-FcAccount @at
        $ctx.Source | Should -Be "Oidc '$roleArn'"
        $ctx.AccountId | Should -Be '2468013579'
    }

    It 'reads the aliyun CLI config: the current profile, or ALIBABA_CLOUD_PROFILE, with its region_id' {
        Write-CliConfig dev @(
            @{ name = 'dev'; mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret; region_id = 'cn-shanghai' }
            @{ name = 'prod'; mode = 'AK'; access_key_id = $keys.PRD1.Id; access_key_secret = $keys.PRD1.Secret; region_id = 'cn-beijing' })
        Write-Ini "[default]`ntype = access_key`naccess_key_id = $($keys.INI1.Id)`naccess_key_secret = $($keys.INI1.Secret)"
        $ctx = Connect-FcAccount @at
        $ctx.Source | Should -Be "Profile 'dev'"
        $ctx.AccessKeyId | Should -Match 'DEV1$'
        $ctx.Region | Should -Be 'cn-shanghai'
        (Invoke-FcFunction echo 'cli' @at).Result | Should -Be 'cli'
        $env:ALIBABA_CLOUD_PROFILE = 'prod'
        $ctx = Connect-FcAccount @at
        $ctx.Source | Should -Be "Profile 'prod'"
        $ctx.Region | Should -Be 'cn-beijing'
    }

    It 'honours ALIBABA_CLOUD_CONFIG_FILE and the StsToken mode' {
        $path = Join-Path $testHome 'elsewhere/cli.json'
        Write-CliConfig tmp @(@{ name = 'tmp'; mode = 'StsToken'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret; sts_token = 'cli-sts-token' }) -Path $path
        $env:ALIBABA_CLOUD_CONFIG_FILE = $path
        $ctx = Connect-FcAccount @at
        $ctx.Source | Should -Be "Profile 'tmp'"
        $ctx.IsTemporary | Should -BeTrue
    }

    It 'assumes the role of a RamRoleArn profile with a signed STS AssumeRole (signature V1)' {
        Write-CliConfig ops @(@{ name = 'ops'; mode = 'RamRoleArn'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret
                                 ram_role_arn = $roleArn; ram_session_name = 'runbook'; expired_seconds = 1800; sts_endpoint = $sts.Url })
        (Invoke-FcFunction echo 'role' @at).Result | Should -Be 'role'
        $request = @($sts.Requests)[-1]
        $request.Method | Should -Be 'POST'
        $request.Query.Action | Should -Be 'AssumeRole'
        $request.Query.SignatureMethod | Should -Be 'HMAC-SHA1'
        $request.Query.SignatureVersion | Should -Be '1.0'
        $request.Query.AccessKeyId | Should -Be $keys.DEV1.Id
        $request.Form.RoleArn | Should -Be $roleArn
        $request.Form.RoleSessionName | Should -Be 'runbook'
        $request.Form.DurationSeconds | Should -Be '1800'
        $all = $request.Query + $request.Form
        $request.Query.Signature | Should -Be (Get-FcTestRpcSignature $all $keys.DEV1.Secret)
        $request.Query.Signature | Should -Not -Be (Get-FcTestRpcSignature $all $keys.PRD1.Secret)
        # The FC call carried the minted temporary key and its token.
        $minted = @($sts.State.Issued)[-1]
        (@($emu.RecentRequests)[-1]).Headers['x-acs-accesskey-id'] | Should -Be $minted.AccessKeyId
    }

    It 'chains roles with ChainableRamRoleArn, signing with the source profile' {
        Write-CliConfig hop @(
            @{ name = 'base'; mode = 'AK'; access_key_id = $keys.PRD1.Id; access_key_secret = $keys.PRD1.Secret }
            @{ name = 'hop'; mode = 'ChainableRamRoleArn'; source_profile = 'base'; ram_role_arn = $roleArn; sts_endpoint = $sts.Url })
        $ctx = Connect-FcAccount @at
        $ctx.Source | Should -Match "^Profile 'hop'"
        $request = @($sts.Requests)[-1]
        $request.Query.AccessKeyId | Should -Be $keys.PRD1.Id
        $request.Query.Signature | Should -Be (Get-FcTestRpcSignature ($request.Query + $request.Form) $keys.PRD1.Secret)
    }

    It 'reads the INI credentials file: [default], or ALIBABA_CLOUD_PROFILE, or ALIBABA_CLOUD_CREDENTIALS_FILE' {
        Write-Ini @"
# a comment
[default]
type = access_key
access_key_id = $($keys.INI1.Id)
access_key_secret = $($keys.INI1.Secret)
region_id = cn-shenzhen

[temp]
type = sts
access_key_id = $($keys.DEV1.Id)
access_key_secret = $($keys.DEV1.Secret)
security_token = ini-sts-token
"@
        $ctx = Connect-FcAccount @at
        $ctx.Source | Should -Be "Profile 'default'"
        $ctx.AccessKeyId | Should -Match 'INI1$'
        $ctx.Region | Should -Be 'cn-shenzhen'
        (Invoke-FcFunction echo 'ini' @at).Result | Should -Be 'ini'
        $env:ALIBABA_CLOUD_PROFILE = 'temp'
        (Connect-FcAccount @at).IsTemporary | Should -BeTrue
        Remove-Item env:ALIBABA_CLOUD_PROFILE
        $other = Join-Path $testHome 'other.ini'
        Write-Ini "[default]`ntype = access_key`naccess_key_id = $($keys.PRD1.Id)`naccess_key_secret = $($keys.PRD1.Secret)" -Path $other
        $env:ALIBABA_CLOUD_CREDENTIALS_FILE = $other
        (Connect-FcAccount @at).AccessKeyId | Should -Match 'PRD1$'
    }

    It 'assumes roles from INI ram_role_arn and oidc_role_arn profiles' {
        $tokenFile = Join-Path $testHome 'token'
        Set-Content $tokenFile 'ini.oidc.token' -NoNewline
        $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url
        Write-Ini @"
[default]
type = ram_role_arn
access_key_id = $($keys.INI1.Id)
access_key_secret = $($keys.INI1.Secret)
role_arn = $roleArn
role_session_name = ini-session

[rrsa]
type = oidc_role_arn
role_arn = $roleArn
oidc_provider_arn = acs:ram::2468013579:oidc-provider/p
oidc_token_file_path = $tokenFile
"@
        (Invoke-FcFunction echo 'ini-role' @at).Result | Should -Be 'ini-role'
        $request = @($sts.Requests)[-1]
        $request.Form.RoleSessionName | Should -Be 'ini-session'
        $request.Query.Signature | Should -Be (Get-FcTestRpcSignature ($request.Query + $request.Form) $keys.INI1.Secret)
        (Invoke-FcFunction echo 'ini-oidc' -ProfileName rrsa @at).Result | Should -Be 'ini-oidc'
        @($sts.Requests)[-1].Form.OIDCToken | Should -Be 'ini.oidc.token'
    }

    It 'prefers the aliyun CLI config to the INI file' {
        Write-CliConfig dev @(@{ name = 'dev'; mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret })
        Write-Ini "[default]`ntype = access_key`naccess_key_id = $($keys.INI1.Id)`naccess_key_secret = $($keys.INI1.Secret)"
        (Connect-FcAccount @at).AccessKeyId | Should -Match 'DEV1$'
        $env:ALIBABA_CLOUD_CLI_PROFILE_DISABLED = 'true'
        (Connect-FcAccount @at).AccessKeyId | Should -Match 'INI1$'
    }

    It 'turns the CLI profile off only for ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true, in any case, as the official libraries' {
        Write-CliConfig dev @(@{ name = 'dev'; mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret })
        Write-Ini "[default]`ntype = access_key`naccess_key_id = $($keys.INI1.Id)`naccess_key_secret = $($keys.INI1.Secret)"
        foreach ($value in '1', 'yes', 'on') {
            $env:ALIBABA_CLOUD_CLI_PROFILE_DISABLED = $value
            (Connect-FcAccount @at).AccessKeyId | Should -Match 'DEV1$' -Because "'$value' is not 'true'"
        }
        $env:ALIBABA_CLOUD_CLI_PROFILE_DISABLED = 'TRUE'
        (Connect-FcAccount @at).AccessKeyId | Should -Match 'INI1$'
        (Invoke-FcFunction echo 'ini' @at).Result | Should -Be 'ini'
    }

    It 'uses the first of two aliyun CLI profiles with the same name, as the CLI does' {
        Write-CliConfig dev @(
            @{ name = 'dev'; mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret }
            @{ name = 'dev'; mode = 'AK'; access_key_id = $keys.BAD1.Id; access_key_secret = $keys.BAD1.Secret })
        (Invoke-FcFunction echo 'first' @at).Result | Should -Be 'first'
        (Connect-FcAccount @at).AccessKeyId | Should -Match 'DEV1$'
        (Invoke-FcFunction echo 'named' -ProfileName dev @at).Result | Should -Be 'named'
    }

    It 'drops inline comments from INI values, and merges sections of one name' {
        Write-Ini @"
[default]
type = access_key          ; the laptop's key
access_key_id = $($keys.INI1.Id) ; ops laptop
[default]
access_key_secret = $($keys.INI1.Secret)#rotated in January
"@
        (Invoke-FcFunction echo 'commented' @at).Result | Should -Be 'commented'
        (Connect-FcAccount @at).AccessKeyId | Should -Be ('*' * ($keys.INI1.Id.Length - 4) + 'INI1')
    }

    It 'refuses an INI line the official parsers read differently, naming the line but not its text' {
        Write-Ini "[default]`ntype = access_key`naccess_key_id = $($keys.INI1.Id)`naccess_key_secret = `"$($keys.INI1.Secret);x`""
        $err = Get-ErrorOf { Connect-FcAccount @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcCredentialFileInvalid,FcInvoke.Commands.ConnectFcAccountCommand'
        $err.Exception.Message | Should -Match "credentials', line 4: a quoted value with '#', ';'.*read differently"
        $err.Exception.Message | Should -Not -Match $keys.INI1.Secret
    }

    It 'lists everything it tried when nothing is found' {
        $err = Get-ErrorOf { Invoke-FcFunction echo @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcCredentialNotFound,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $message = $err.Exception.Message
        $message | Should -Match 'ALIBABA_CLOUD_ACCESS_KEY_ID'
        $message | Should -Match 'OIDC'
        $message | Should -Match ([regex]::Escape((Join-Path $testHome '.aliyun/config.json')))
        $message | Should -Match ([regex]::Escape((Join-Path $testHome '.alibabacloud/credentials')))
        $message | Should -Match 'ECS RAM role \(ALIBABA_CLOUD_ECS_METADATA_DISABLED=true\); ALIBABA_CLOUD_CREDENTIALS_URI \(not set\)'
    }

    It 'never falls through when a named profile does not exist' {
        $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $keys.ENV1.Id; $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = $keys.ENV1.Secret
        Write-CliConfig dev @(@{ name = 'dev'; mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret })
        $err = Get-ErrorOf { Invoke-FcFunction echo -ProfileName prod @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcProfileNotFound,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err.Exception.Message | Should -Match "profile 'prod'.*profiles: dev"
        Remove-Item env:ALIBABA_CLOUD_ACCESS_KEY_ID, env:ALIBABA_CLOUD_ACCESS_KEY_SECRET
        Write-Ini "[default]`ntype = access_key`naccess_key_id = $($keys.INI1.Id)`naccess_key_secret = $($keys.INI1.Secret)"
        $env:ALIBABA_CLOUD_PROFILE = 'prod'
        (Get-ErrorOf { Connect-FcAccount @at -ErrorAction Stop }).FullyQualifiedErrorId | Should -Be 'FcProfileNotFound,FcInvoke.Commands.ConnectFcAccountCommand'
    }

    It 'reports a malformed file with its path and line, and no secret' {
        Write-Ini "[default]`ntype = access_key`naccess_key_id = $($keys.INI1.Id)`nthis line is $($keys.INI1.Secret)"
        $err = Get-ErrorOf { Connect-FcAccount @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcCredentialFileInvalid,FcInvoke.Commands.ConnectFcAccountCommand'
        $err.CategoryInfo.Category | Should -Be 'ParserError'
        $err.Exception.Message | Should -Match "credentials file '.*credentials', line 4"
        $err.Exception.Message | Should -Not -Match $keys.INI1.Secret
        $json = Join-Path $testHome '.aliyun/config.json'
        $null = New-Item -ItemType Directory -Force (Split-Path $json)
        Set-Content $json "{`n  `"current`": `"dev`",`n  `"profiles`": [ { `"name`": `"dev`", `"access_key_secret`": $($keys.DEV1.Secret) } ]`n}"
        $err = Get-ErrorOf { Connect-FcAccount @at -ErrorAction Stop }
        $err.Exception.Message | Should -Match 'aliyun CLI config file .*line 3'
        $err.Exception.Message | Should -Not -Match $keys.DEV1.Secret
    }
}

Describe 'The ECS RAM role from the instance metadata service' {
    BeforeEach {
        Reset-FcTestEnvironment
        $script:imds = Start-FcTestHttpFixture -Handler $ImdsHandler -State @{ Emulator = $emu; Token = "imds-token-$([guid]::NewGuid())"; RoleName = 'ops' }
        $env:FCINVOKE_ECS_METADATA_ENDPOINT = $imds.Url
        Remove-Item env:ALIBABA_CLOUD_ECS_METADATA_DISABLED
    }
    AfterEach { $imds | Stop-FcTestHttpFixture }

    It 'is the last source of the chain: IMDSv2 token first, the role discovered, then its credential' {
        (Invoke-FcFunction echo 'ecs' @at).Result | Should -Be 'ecs'
        $requests = @($imds.Requests)
        $requests[0].Method | Should -Be 'PUT'
        $requests[0].Path | Should -Be '/latest/api/token'
        $requests[0].Headers['X-aliyun-ecs-metadata-token-ttl-seconds'] | Should -Be '21600'
        $requests[1].Path | Should -Be '/latest/meta-data/ram/security-credentials/'
        $requests[2].Path | Should -Be '/latest/meta-data/ram/security-credentials/ops'
        $requests[1..2].ForEach({ $_.Headers['X-aliyun-ecs-metadata-token'] }) | Should -Be @($imds.State.Token, $imds.State.Token)
        (Connect-FcAccount @at).Source | Should -Be "EcsRamRole 'ops'"
    }

    It 'uses the role named by -EcsRamRole or ALIBABA_CLOUD_ECS_METADATA without asking for it' {
        $imds.State.RoleName = 'named'
        $ctx = Connect-FcAccount -EcsRamRole named @at
        $ctx.Source | Should -Be "EcsRamRole 'named'"
        $ctx.IsTemporary | Should -BeTrue
        $ctx.Expiration | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
        @($imds.Requests).Path | Should -Not -Contain '/latest/meta-data/ram/security-credentials/'
    }

    It 'falls back to IMDSv1 when tokens are refused, unless ALIBABA_CLOUD_IMDSV1_DISABLED is set' {
        $imds.State.NoTokens = $true
        $imds.State.RoleName = 'v1role'
        $env:ALIBABA_CLOUD_IMDSV1_DISABLED = 'true'
        $err = Get-ErrorOf { Connect-FcAccount -EcsRamRole v1role @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcEcsMetadataError,FcInvoke.Commands.ConnectFcAccountCommand'
        $err.Exception.Message | Should -Match 'IMDSV1_DISABLED'
        Remove-Item env:ALIBABA_CLOUD_IMDSV1_DISABLED
        (Connect-FcAccount -EcsRamRole v1role @at).Source | Should -Be "EcsRamRole 'v1role'"
        $get = @($imds.Requests) | Where-Object Method -eq 'GET'
        $get | Should -Not -BeNullOrEmpty
        $get.ForEach({ $_.Headers.ContainsKey('X-aliyun-ecs-metadata-token') }) | Should -Not -Contain $true
    }

    It 'is skipped with ALIBABA_CLOUD_ECS_METADATA_DISABLED=true' {
        $env:ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
        (Get-ErrorOf { Invoke-FcFunction echo @at -ErrorAction Stop }).FullyQualifiedErrorId | Should -Match '^FcCredentialNotFound'
        $imds.Requests.Count | Should -Be 0
    }
}

Describe 'ALIBABA_CLOUD_CREDENTIALS_URI, the last source of the chain' {
    BeforeEach {
        Reset-FcTestEnvironment
        $script:uriFixture = Start-FcTestHttpFixture -Handler $CredentialsUriHandler -State @{ Emulator = $emu }
    }
    AfterEach { $uriFixture | Stop-FcTestHttpFixture }

    It 'gives the temporary credential its URI answers, named without the query' {
        $env:ALIBABA_CLOUD_CREDENTIALS_URI = "$($uriFixture.Url)/creds?user=ops"
        (Invoke-FcFunction echo 'uri' @at).Result | Should -Be 'uri'
        $request = @($uriFixture.Requests)[0]
        $request.Method | Should -Be 'GET'
        $request.Path | Should -Be '/creds'
        $request.Query.user | Should -Be 'ops'
        $minted = @($uriFixture.State.Issued)[-1]
        (@($emu.RecentRequests)[-1]).Headers['x-acs-accesskey-id'] | Should -Be $minted.AccessKeyId  # the emulator checks the token with it
        $ctx = Connect-FcAccount @at
        $ctx.Source | Should -Be "CredentialsUri '$($uriFixture.Url)/creds?…'"
        $ctx.IsTemporary | Should -BeTrue
        @($uriFixture.Requests).Count | Should -Be 1 -Because 'the credential is cached for the URI, like the other temporary sources'
    }

    It 'is asked after the ECS role, only when the metadata service has no role' {
        $noRole = Start-FcTestHttpFixture -Handler $ImdsHandler -State @{ Token = 'imds-token'; RoleName = '' }
        $withRole = Start-FcTestHttpFixture -Handler $ImdsHandler -State @{ Emulator = $emu; Token = 'imds-token'; RoleName = 'ops' }
        try {
            Remove-Item env:ALIBABA_CLOUD_ECS_METADATA_DISABLED
            $env:ALIBABA_CLOUD_CREDENTIALS_URI = "$($uriFixture.Url)/creds"
            $env:FCINVOKE_ECS_METADATA_ENDPOINT = $noRole.Url
            (Invoke-FcFunction echo 'after-ecs' @at).Result | Should -Be 'after-ecs'
            @($noRole.Requests).Path | Should -Contain '/latest/meta-data/ram/security-credentials/'
            @($uriFixture.Requests).Count | Should -Be 1
            @($noRole.Requests)[-1].Time | Should -BeLessOrEqual @($uriFixture.Requests)[0].Time
            $env:FCINVOKE_ECS_METADATA_ENDPOINT = $withRole.Url
            (Connect-FcAccount @at).Source | Should -Be "EcsRamRole 'ops'"
            @($uriFixture.Requests).Count | Should -Be 1 -Because 'the ECS role answered first'
        }
        finally { $noRole, $withRole | Stop-FcTestHttpFixture }
    }

    It 'is refreshed before its credential expires' {
        $uriFixture.State.LifetimeSec = 4   # short-lived: refreshed halfway through its life
        $env:ALIBABA_CLOUD_CREDENTIALS_URI = "$($uriFixture.Url)/creds"
        $ctx = Connect-FcAccount @at
        $first = $ctx.AccessKeyId
        (Invoke-FcFunction echo 'a' -Context $ctx).Result | Should -Be 'a'
        @($uriFixture.Requests).Count | Should -Be 1 -Because 'the credential is still fresh'
        Wait-FcTestCondition { $ctx.Expiration -and ($ctx.Expiration - [DateTimeOffset]::UtcNow).TotalSeconds -lt 1.4 } -TimeoutSec 10 -Because 'the credential is due for refresh'
        (Invoke-FcFunction echo 'b' -Context $ctx).Result | Should -Be 'b'
        @($uriFixture.Requests).Count | Should -Be 2
        $ctx.AccessKeyId | Should -Not -Be $first
        (@($emu.RecentRequests)[-1]).Headers['x-acs-accesskey-id'] | Should -Be @($uriFixture.State.Issued)[-1].AccessKeyId
    }

    It 'is named with its failure when nothing is found, without its query' {
        $uriFixture.State.Fail = 500
        $env:ALIBABA_CLOUD_CREDENTIALS_URI = "$($uriFixture.Url)/creds?token=uri-query-secret-0123"
        $err = Get-ErrorOf { Invoke-FcFunction echo @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcCredentialNotFound,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err.Exception.Message | Should -Match ('ALIBABA_CLOUD_CREDENTIALS_URI \(The credentials URI ' + [regex]::Escape("$($uriFixture.Url)/creds?…") + ' answered HTTP 500\.\)')
        $err.Exception.Message | Should -Not -Match 'uri-query-secret'
    }

    It 'keeps its credentials out of every stream, view and error' {
        $env:ALIBABA_CLOUD_CREDENTIALS_URI = "$($uriFixture.Url)/creds?token=uri-query-secret-0123"
        $uriFixture.State.LifetimeSec = 4
        $everything = Get-FcTestStreams {
            Invoke-FcFunction echo 'one' @at -Verbose -Debug
            $ctx = Connect-FcAccount @at -Verbose -Debug
            $ctx | Format-List * | Out-String
            "$ctx"
            Wait-FcTestCondition { ($ctx.Expiration - [DateTimeOffset]::UtcNow).TotalSeconds -lt 1.4 } -TimeoutSec 10 -Because 'the credential is due for refresh'
            Invoke-FcFunction echo 'two' -Context $ctx -Verbose -Debug
            $uriFixture.State.Fail = 503
            $env:ALIBABA_CLOUD_CREDENTIALS_URI = "$($uriFixture.Url)/other?token=uri-query-secret-0123"  # another URI: asked afresh
            Disconnect-FcAccount  # back to the chain
            Invoke-FcFunction echo 'three' @at -Verbose -Debug -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed
        }
        $everything | Should -Match 'FcCredentialNotFound'
        $minted = @($uriFixture.State.Issued)
        $minted.Count | Should -Be 2
        $everything | Should -Match 'CredentialsUri'
        foreach ($secret in @($minted.AccessKeySecret) + @($minted.SecurityToken) + 'uri-query-secret') {
            $everything.Contains($secret) | Should -BeFalse -Because "'$($secret.Substring(0, 4))…' is a secret"
        }
    }
}

Describe "The aliyun CLI's External mode (process_command)" {
    BeforeEach {
        Reset-FcTestEnvironment
        $script:commands = Join-Path $testHome 'commands'
    }

    It 'runs the process_command and signs with the AccessKey it prints, once per command' {
        $c = New-FcTestCredentialCommand $commands ak (@{ mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret } | ConvertTo-Json)
        Write-CliConfig ext @(@{ name = 'ext'; mode = 'External'; process_command = $c.Command; region_id = 'cn-external' })
        (Invoke-FcFunction echo 'ext' @at).Result | Should -Be 'ext'
        Get-FcTestCommandRuns $c | Should -Be 1
        (Invoke-FcFunction echo 'again' @at).Result | Should -Be 'again'
        Get-FcTestCommandRuns $c | Should -Be 2 -Because 'like the aliyun CLI, each command runs it'
        $ctx = Connect-FcAccount @at
        $ctx.Source | Should -Be "Profile 'ext' (External)"
        $ctx.Region | Should -Be 'cn-external'
        $ctx.AccessKeyId | Should -Match 'DEV1$'
        $ctx.IsTemporary | Should -BeFalse
        Get-FcTestCommandRuns $c | Should -Be 3
        (1..3 | ForEach-Object { (Invoke-FcFunction echo "c$_" -Context $ctx).Result }) | Should -Be @('c1', 'c2', 'c3')
        Get-FcTestCommandRuns $c | Should -Be 3 -Because 'a context keeps the credential it got'
    }

    It 'uses the STS token and expiration it prints' {
        $sts = @{ Id = "STS.ext$([guid]::NewGuid().ToString('N').Substring(0, 8))"; Secret = "extSecret$([guid]::NewGuid().ToString('N'))"; Token = "extToken$([guid]::NewGuid().ToString('N'))" }
        Add-FcTestEmulatorKey $emu $sts.Id $sts.Secret $sts.Token
        $expiration = [DateTime]::UtcNow.AddHours(1).ToString('yyyy-MM-ddTHH:mm:ssZ')
        $c = New-FcTestCredentialCommand $commands sts (@{ mode = 'StsToken'; access_key_id = $sts.Id; access_key_secret = $sts.Secret; sts_token = $sts.Token; expiration = $expiration } | ConvertTo-Json)
        Write-CliConfig ext @(@{ name = 'ext'; mode = 'External'; process_command = $c.Command })
        $ctx = Connect-FcAccount @at
        $ctx.IsTemporary | Should -BeTrue
        $ctx.Expiration.ToString('yyyy-MM-ddTHH:mm:ssZ') | Should -Be $expiration
        (Invoke-FcFunction echo 'sts' -Context $ctx).Result | Should -Be 'sts'
        (@($emu.RecentRequests)[-1]).Headers['x-acs-accesskey-id'] | Should -Be $sts.Id  # accepted only with its token
    }

    It 'reports a failing command by its exit code only, and keeps every secret out of every stream' {
        $c = New-FcTestCredentialCommand $commands fail (@{ mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret } | ConvertTo-Json) `
            -StandardError 'stderr-secret-0123456789' -ExitCode 2
        Write-CliConfig ext @(@{ name = 'ext'; mode = 'External'; process_command = $c.Command })
        $box = @{}
        $everything = Get-FcTestStreams {
            Invoke-FcFunction echo 'x' @at -Verbose -Debug -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed
            $box.Failed = $failed
        }
        $failed = $box.Failed
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'FcCredentialProcessError,FcInvoke.Commands.InvokeFcFunctionCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $failed[0].Exception.Message | Should -Match "process_command of profile 'ext' \(.*config\.json, line \d+\) exited with code 2"
        Get-FcTestCommandRuns $c | Should -Be 1
        foreach ($secret in $keys.DEV1.Secret, 'stderr-secret-0123456789', (Split-Path $c.Script -Leaf)) {
            $everything.Contains($secret) | Should -BeFalse -Because "'$($secret.Substring(0, 4))…' must not be shown"
        }
    }

    It 'keeps the credential it prints out of every stream and view' {
        $c = New-FcTestCredentialCommand $commands ok (@{ mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret } | ConvertTo-Json)
        Write-CliConfig ext @(@{ name = 'ext'; mode = 'External'; process_command = $c.Command })
        $everything = Get-FcTestStreams {
            Invoke-FcFunction echo 'one' @at -Verbose -Debug
            $ctx = Connect-FcAccount @at -Verbose -Debug
            $ctx | Format-List * | Out-String
            "$ctx"
        }
        $everything | Should -Match 'process_command'
        $everything.Contains($keys.DEV1.Secret) | Should -BeFalse
        $everything.Contains($c.Script) | Should -BeFalse -Because 'the command line is not shown'
    }

    It 'is not run when ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS is set, as in the aliyun CLI' {
        $c = New-FcTestCredentialCommand $commands blocked (@{ mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret } | ConvertTo-Json)
        Write-CliConfig ext @(@{ name = 'ext'; mode = 'External'; process_command = $c.Command })
        $env:ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS = '1'
        $err = Get-ErrorOf { Connect-FcAccount @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcCredentialProcessError,FcInvoke.Commands.ConnectFcAccountCommand'
        $err.Exception.Message | Should -Match 'ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS'
        Get-FcTestCommandRuns $c | Should -Be 0
    }
}

Describe 'Precedence: parameters, then -Context, then the session default, then the chain' {
    BeforeEach {
        Reset-FcTestEnvironment
        $script:good = @{ Session = (ConvertTo-TestCredential $keys.SES1); Context = (ConvertTo-TestCredential $keys.CTX1); Param = (ConvertTo-TestCredential $keys.PRM1) }
        $script:bad = ConvertTo-TestCredential $keys.BAD1
    }

    It 'fails with a credential the emulator does not know (the checks below can fail)' {
        $err = Get-ErrorOf { Invoke-FcFunction echo -Credential $bad @at -ErrorAction Stop }
        $err.Exception.ErrorCode | Should -Be 'InvalidAccessKeyID'
    }

    It 'uses the session default over the chain' {
        $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $keys.BAD1.Id; $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = $keys.BAD1.Secret
        $null = Connect-FcAccount -Credential $good.Session @at
        (Invoke-FcFunction echo 'session' @at).Result | Should -Be 'session'
        (Get-FcContext).AccessKeyId | Should -Match 'SES1$'
    }

    It 'uses -Context over the session default' {
        $ctx = Connect-FcAccount -Credential $good.Context @at
        $null = Connect-FcAccount -Credential $bad @at
        (Invoke-FcFunction echo 'context' -Context $ctx).Result | Should -Be 'context'
    }

    It 'uses -Credential and -ProfileName over -Context' {
        $ctx = Connect-FcAccount -Credential $bad @at
        (Invoke-FcFunction echo 'param' -Credential $good.Param -Context $ctx).Result | Should -Be 'param'
        Write-Ini "[p]`ntype = access_key`naccess_key_id = $($keys.INI1.Id)`naccess_key_secret = $($keys.INI1.Secret)"
        (Invoke-FcFunction echo 'profile' -ProfileName p -Context $ctx).Result | Should -Be 'profile'
    }

    It 'uses a context''s endpoint unless -Endpoint is given' {
        $other = Start-FcEmulator -Function @{ 'echo' = { 'other' } }
        try {
            Add-FcTestEmulatorKey $other $keys.CTX1.Id $keys.CTX1.Secret
            $ctx = Connect-FcAccount -Credential $good.Context -Endpoint $other.Endpoint
            (Invoke-FcFunction echo 'x' -Context $ctx).Result | Should -Be 'other'
            (Invoke-FcFunction echo 'x' -Context $ctx @at).Result | Should -Be 'x'
        }
        finally { $other | Stop-FcEmulator -WarningAction SilentlyContinue }   # it clears the session context that points at it, saying so
    }

    It 'takes the region from the parameter, the context, ALIBABA_CLOUD_REGION_ID, then the profile' {
        Write-CliConfig dev @(@{ name = 'dev'; mode = 'AK'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret; region_id = 'cn-profile' })
        (Connect-FcAccount @at).Region | Should -Be 'cn-profile'
        $env:ALIBABA_CLOUD_REGION_ID = 'cn-env'
        $fromEnv = Connect-FcAccount @at
        $fromEnv.Region | Should -Be 'cn-env'
        $ctx = Connect-FcAccount -Region cn-context @at
        $ctx.Region | Should -Be 'cn-context'
        (Connect-FcAccount -Context $ctx).Region | Should -Be 'cn-context'
        (Connect-FcAccount -Context $ctx -Region cn-param).Region | Should -Be 'cn-param'
    }

    It 'takes the account id from the parameter, the context, ALIBABA_CLOUD_ACCOUNT_ID, the profile, then STS GetCallerIdentity once' {
        $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url
        $fresh = New-TestKey 'GCI1'
        $cred = ConvertTo-TestCredential $fresh
        $ctx = Connect-FcAccount -Credential $cred -Region cn-hangzhou
        $ctx.AccountId | Should -Be '1357924680'
        $ctx.Endpoint | Should -BeNullOrEmpty
        $lookups = @($sts.Requests | Where-Object { $_.Query.Action -eq 'GetCallerIdentity' })
        $lookups.Count | Should -Be 1
        $lookups[0].Query.Signature | Should -Be (Get-FcTestRpcSignature ($lookups[0].Query + $lookups[0].Form) $fresh.Secret)
        $null = Connect-FcAccount -Credential $cred -Region cn-hangzhou
        @($sts.Requests | Where-Object { $_.Query.Action -eq 'GetCallerIdentity' }).Count | Should -Be 1 -Because 'the account id is cached'

        Write-Ini "[default]`ntype = access_key`naccess_key_id = $($keys.INI1.Id)`naccess_key_secret = $($keys.INI1.Secret)`naccount_id = 111"
        (Connect-FcAccount -Region cn-hangzhou).AccountId | Should -Be '111'
        $env:ALIBABA_CLOUD_ACCOUNT_ID = '222'
        (Connect-FcAccount -Region cn-hangzhou).AccountId | Should -Be '222'
        $ctx = Connect-FcAccount -Region cn-hangzhou -AccountId 333
        (Connect-FcAccount -Context $ctx).AccountId | Should -Be '333'
        (Connect-FcAccount -Context $ctx -AccountId 444).AccountId | Should -Be '444'
        # The account endpoint is built from them; the guard proves where the call would have gone.
        (Get-ErrorOf { Invoke-FcFunction echo -Context $ctx -ErrorAction Stop }).Exception.Message | Should -Match 'https://333\.cn-hangzhou\.fc\.aliyuncs\.com'
    }

    It 'gives every FC cmdlet -Context and -ProfileName' {
        foreach ($command in Get-Command -Module FcInvoke | Where-Object { $_.ImplementingType.IsSubclassOf([FcInvoke.Commands.FcCmdlet]) }) {
            $command.Parameters.Keys | Should -Contain 'Context'
            $command.Parameters.Keys | Should -Contain 'ProfileName'
        }
    }
}

Describe 'Connect-FcAccount, Get-FcContext, Disconnect-FcAccount' {
    BeforeEach { Reset-FcTestEnvironment }

    It 'sets, shows and clears the session context' {
        Get-FcContext | Should -BeNullOrEmpty
        $ctx = Connect-FcAccount -Credential (ConvertTo-TestCredential $keys.SES1) -Region cn-hangzhou -AccountId 42
        $ctx | Should -BeOfType ([FcInvoke.FcContext])
        $shown = Get-FcContext
        $shown.Source | Should -Be 'Parameter'
        $shown.AccessKeyId | Should -Be ('*' * ($keys.SES1.Id.Length - 4) + 'SES1')
        $shown.AccountId | Should -Be '42'
        ($shown | Format-Table | Out-String) | Should -Match 'SES1'
        Disconnect-FcAccount
        Get-FcContext | Should -BeNullOrEmpty
    }

    It 'assumes a role with the current session credentials (-RamRoleArn)' {
        $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url
        $null = Connect-FcAccount -Credential (ConvertTo-TestCredential $keys.SES1) @at
        $ctx = Connect-FcAccount -RamRoleArn $roleArn -RoleSessionName nightly -DurationSec 900 -ExternalId ext-1
        $ctx.Source | Should -Be "RamRoleArn '$roleArn' via Parameter"
        $ctx.AccountId | Should -Be '2468013579'
        $ctx.Endpoint | Should -Be $emu.Endpoint
        $request = @($sts.Requests)[-1]
        $request.Query.AccessKeyId | Should -Be $keys.SES1.Id
        $request.Form.RoleSessionName | Should -Be 'nightly'
        $request.Form.DurationSeconds | Should -Be '900'
        $request.Form.ExternalId | Should -Be 'ext-1'
        $request.Query.Signature | Should -Be (Get-FcTestRpcSignature ($request.Query + $request.Form) $keys.SES1.Secret)
        (Invoke-FcFunction echo 'assumed').Result | Should -Be 'assumed'
    }

    It 'assumes a role with -Oidc from parameters' {
        $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url
        $tokenFile = Join-Path $testHome 'k8s-token'
        Set-Content $tokenFile 'param.oidc.token' -NoNewline
        $ctx = Connect-FcAccount -Oidc -RamRoleArn $roleArn -OidcProviderArn 'acs:ram::2468013579:oidc-provider/x' -OidcTokenFile $tokenFile @at
        $ctx.Source | Should -Be "Oidc '$roleArn'"
        @($sts.Requests)[-1].Form.OIDCToken | Should -Be 'param.oidc.token'
        $err = Get-ErrorOf { Connect-FcAccount -Oidc @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcCredentialInvalid,FcInvoke.Commands.ConnectFcAccountCommand'
        $err.Exception.Message | Should -Match 'OidcProviderArn'
    }

    It 'reports an STS refusal with its code, before anything is sent to FC' {
        $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url
        $sts.State.Fail = 'NoPermission'
        $before = $emu.RequestCount
        $err = Get-ErrorOf { Connect-FcAccount -Credential (ConvertTo-TestCredential $keys.SES1) -RamRoleArn $roleArn @at -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'FcStsError,FcInvoke.Commands.ConnectFcAccountCommand'
        $err.Exception.Message | Should -Match 'HTTP 403 NoPermission.*FIXTURE-ERR'
        $emu.RequestCount | Should -Be $before
    }
}

Describe 'Temporary credentials are refreshed before they expire' {
    BeforeEach { Reset-FcTestEnvironment; $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url }

    It 'keeps a temporary credential while it is fresh' {
        $ctx = Connect-FcAccount -Credential (ConvertTo-TestCredential $keys.SES1) -RamRoleArn $roleArn @at
        @($sts.Requests).Count | Should -Be 1
        (Invoke-FcFunction echo 'a' -Context $ctx).Result | Should -Be 'a'
        @($sts.Requests).Count | Should -Be 1 -Because 'the credential is still fresh (it lives an hour)'
    }

    It 'refreshes a credential that is due once, shared by concurrent invocations, and uses the new one' {
        $sts.State.LifetimeSec = 4   # short-lived: due halfway through its life
        $ctx = Connect-FcAccount -Credential (ConvertTo-TestCredential $keys.SES1) -RamRoleArn $roleArn @at
        $first = $ctx.AccessKeyId
        # The fixture writes whole seconds, so the credential lives 3-4 s and is due 1.5-2 s before it expires; once due,
        # it stays due.
        Wait-FcTestCondition { ($ctx.Expiration - [DateTimeOffset]::UtcNow).TotalSeconds -lt 1.4 } -TimeoutSec 10 -Because 'the credential is due for refresh'
        $sts.State.LifetimeSec = 3600   # the refreshed credential stays fresh for the rest of the test
        $before = @($sts.Requests).Count

        # Six invocations in parallel runspaces; the STS answer is held until the refresh has arrived and all six have
        # started, so those that ask for the credential meanwhile wait for that one refresh (one that asks later finds the
        # fresh credential: a refresh per invocation would show as more STS requests either way).
        $hold = [Threading.ManualResetEventSlim]::new($false)
        $sts.State.Hold = $hold
        $ready = [Threading.CountdownEvent]::new(6)
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($ModulePath, $Context, $Ready)
                1..6 | ForEach-Object -ThrottleLimit 6 -Parallel {
                    Import-Module $using:ModulePath
                    $countdown = $using:Ready
                    $null = $countdown.Signal()
                    (Invoke-FcFunction echo "p$_" -Context $using:Context).Result
                }
            }).AddArgument($FcTestModulePath).AddArgument($ctx).AddArgument($ready)
            $running = $ps.BeginInvoke()
            Wait-FcTestCondition { @($sts.Requests).Count -gt $before -and $ready.IsSet } -TimeoutSec 60 -Because 'the refresh is in flight and all six invocations started'
            $hold.Set()
            $running.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(60)) | Should -BeTrue -Because 'the invocations ended (60 s hang guard)'
            $results = $ps.EndInvoke($running)
            $ps.Streams.Error | Should -BeNullOrEmpty
        }
        finally {
            $hold.Set()
            $sts.State.Hold = $null
            $ps.Dispose()
        }
        ($results | Sort-Object) | Should -Be @('p1', 'p2', 'p3', 'p4', 'p5', 'p6')
        @($sts.Requests).Count - $before | Should -Be 1 -Because 'one refresh served every concurrent invocation'
        $ctx.AccessKeyId | Should -Not -Be $first
        # All six asked once the old credential was due, so all six signed with the new one.
        $minted = @($sts.State.Issued)[-1].AccessKeyId
        $sent = @($emu.RecentRequests | Where-Object Path -like '*/echo/invocations' | Select-Object -Last 6)
        @($sent | ForEach-Object { $_.Headers['x-acs-accesskey-id'] }) | Should -Be (@($minted) * 6)
    }
}

Describe 'Secrets never show' {
    BeforeEach { Reset-FcTestEnvironment }

    It 'keeps every secret out of every stream, format view, error and context' {
        $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url
        $tokenFile = Join-Path $testHome 'token'
        Set-Content $tokenFile 'oidc-secret-token-0123456789' -NoNewline
        Write-CliConfig dev @(@{ name = 'dev'; mode = 'RamRoleArn'; access_key_id = $keys.DEV1.Id; access_key_secret = $keys.DEV1.Secret; ram_role_arn = $roleArn })
        $cliBefore = Get-FileHash (Join-Path $testHome '.aliyun/config.json')
        $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $keys.ENV1.Id; $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = $keys.ENV1.Secret
        $env:ALIBABA_CLOUD_SECURITY_TOKEN = 'env-security-token-0123456789'
        $issuedBefore = $sts.State.Issued.Count

        $everything = Get-FcTestHostOutput {
            Invoke-FcFunction echo 'one' @at -Verbose -Debug
            Invoke-FcFunction echo 'whatif' @at -WhatIf
            $ctx = Connect-FcAccount -ProfileName dev @at -Verbose -Debug
            $ctx | Format-List * | Out-String
            $ctx | Format-Table | Out-String
            $ctx | ConvertTo-Json
            "$ctx"
            Get-FcContext -Verbose | Format-List * | Out-String
            Invoke-FcFunction echo 'two' -Verbose -Debug
            Connect-FcAccount -Oidc -RamRoleArn $roleArn -OidcProviderArn 'acs:ram::1:oidc-provider/p' -OidcTokenFile $tokenFile @at -Verbose -Debug | Format-List * | Out-String
            Invoke-FcFunction echo 'bad' -Credential (ConvertTo-TestCredential @{ Id = $keys.BAD1.Id; Secret = $keys.BAD1.Secret }) @at -Verbose -Debug
            $sts.State.Fail = 'InvalidSecurityToken.Expired'
            try { Connect-FcAccount -RamRoleArn $roleArn -Verbose -Debug } catch { $_ }
            $sts.State.Fail = $null
            try { Invoke-FcFunction echo -ProfileName missing @at } catch { $_ }
            $Error | ForEach-Object { $_ | Format-List * -Force | Out-String; $_.Exception | Format-List * -Force | Out-String }
        }

        $secrets = @($keys.ENV1.Secret, $keys.DEV1.Secret, $keys.BAD1.Secret, 'env-security-token-0123456789', 'oidc-secret-token-0123456789')
        $minted = @($sts.State.Issued)[$issuedBefore..($sts.State.Issued.Count - 1)]
        $minted.Count | Should -BeGreaterOrEqual 2
        $secrets += $minted.AccessKeySecret + $minted.SecurityToken
        $everything.Length | Should -BeGreaterThan 1000
        $everything | Should -Match 'AssumeRole'      # the streams were captured
        foreach ($secret in $secrets) { $everything.Contains($secret) | Should -BeFalse -Because "'$($secret.Substring(0, 4))…' is a secret" }
        (Get-FileHash (Join-Path $testHome '.aliyun/config.json')).Hash | Should -Be $cliBefore.Hash -Because 'profile files are read, never written'
    }
}
