# Every example of the help runs against the emulator, so the examples cannot rot (issue 14): each cmdlet page's
# examples, every code block of about_FcInvoke, and the README's emulator blocks. An example that calls Alibaba Cloud
# runs as written against a fresh emulator that has every function the examples name: the harness sets the session
# context, the environment (ALIBABA_CLOUD_*), aliyun CLI profiles, STS, ECS-metadata and OIDC fixtures, and a default
# -Endpoint ($PSDefaultParameterValues) pointing at the emulator. An example that starts its own emulator runs as written.
# Each example runs in its own runspace, in a folder with the files the examples read (orders.csv, disks.txt, events/).
BeforeDiscovery {
    $docs = Join-Path $PSScriptRoot '../../docs'
    Import-Module (Join-Path $docs 'tools/FcHelp.psm1') -Force
    $examples = [Collections.Generic.List[hashtable]]::new()
    foreach ($file in Get-ChildItem (Join-Path $docs 'cmdlets') -Filter '*-*.md') {
        $page = Read-FcHelpPage $file.FullName
        foreach ($example in $page.Examples) { $examples.Add(@{ Name = "$($page.Name) / $($example.Title)"; Code = $example.Code }) }
    }
    # Code blocks of Markdown documents, named after the heading above them.
    function Get-MarkdownBlocks([string] $Path, [string] $Prefix) {
        $heading = ''; $block = $null; $n = 0
        foreach ($line in Get-Content $Path) {
            if ($null -ne $block) {
                if ($line -match '^\s*```') { $n++; @{ Name = "$Prefix / $heading ($n)"; Code = ($block -join "`n") }; $block = $null } else { $block.Add($line) }
                continue
            }
            if ($line -match '^#+\s+(.*)$') { $heading = $Matches[1].Trim() }
            elseif ($line -match '^\s*```powershell') { $block = [Collections.Generic.List[string]]::new() }
        }
    }
    foreach ($block in Get-MarkdownBlocks (Join-Path $docs 'about_FcInvoke.md') 'about_FcInvoke') { $examples.Add($block) }
    foreach ($block in Get-MarkdownBlocks (Join-Path $PSScriptRoot '../../README.md') 'README') {
        if ($block.Code -match 'Start-FcEmulator') { $examples.Add($block) }
    }
    $script:examples = $examples
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/CredentialFixtures.ps1

    # Every function the examples call in "the cloud", with the aliases they use.
    $script:cloud = @{
        'resize-image'        = { param($Event) $e = $Event | ConvertFrom-Json; @{ thumbnailKey = "thumbs/$($e.key)" } }
        'billing/close-month' = { param($Event) Write-Host 'closing the month'; 'closed' }
        'reporting/weekly'    = { 'weekly' }
        'nightly/cleanup'     = { 'cleaned' }
        'ingest'              = { param($Event) "ingested $Event" }
        'nightly-report'      = { 'report' }
        'warmup-a'            = { 'warm' }
        'warmup-b'            = { 'warm' }
        'api-orders'          = { 'warm' }
        'api-users'           = { 'warm' }
        'process-order'       = { param($Event) "processed $Event" }
        'chat'                = { 'hello' }
        'send-reminder'       = { 'sent' }
        'charge-card'         = { param($Event) Write-Host "charging $Event"; throw 'card declined' }
        # Runs until the harness releases it (a latch, not a sleep): a task that stays Running for as long as an example needs.
        'export'              = { param($Event) $null = [AppDomain]::CurrentDomain.GetData('FcHelpExamplesExport').Wait(60000); "exported $Event" }
        'export-orders'       = { 'exported' }
        'ops/resize-disk'     = { param($Event) "resized $Event" }
        'ops/patch'           = { 'patched' }
        'probe'               = { param($Event) $Event }
        'health-check'        = { 'ok' }
        'smoke-test'          = { 'ok' }
        'deploy'              = { 'deployed' }
        'quote'               = { @{ price = 42 } }
        'settle'              = { 'settled' }
        'render'              = { param($Event) "page $Event" }
        'reindex'             = { param($Event) "reindexed $Event" }
        'settle-order'        = { param($Event) 'settled' }
        'make-thumbnail'      = { param($Event) "thumbnail of $Event" }
        # Web functions the Invoke-FcHttpTrigger examples call through their HTTP triggers (below).
        'orders-api'          = {
            param($Event)
            switch -Regex ($Event.Path) {
                '^/health$'           { 'ok'; break }
                '^/api/orders$'       { @{ orderId = 1001; status = 'accepted' }; break }
                '^/api/orders/999$'   { @{ StatusCode = 404; Body = @{ error = 'no such order' } }; break }
                '^/api/orders/\d+$'   { @{ updated = $Event.Path; with = $Event.Body }; break }
                default               { @{ path = $Event.Path } }
            }
        }
        'profile-api'         = { param($Event) @{ name = $Event.JwtClaims.sub; fields = $Event.Query.fields } }
        'billing/invoices'    = { param($Event) "due: 3 ($($Event.Path))" }
    }
    $script:aliases = @{ 'billing/close-month' = 'prod'; 'nightly/cleanup' = 'prod'; 'api-orders' = 'prod'; 'api-users' = 'prod' }
    $script:triggers = @{ 'orders-api' = 'function'; 'profile-api' = @{ JwtSecret = 'dev-only-secret' }; 'billing/invoices' = 'anonymous' }

    $script:exportLatch = [Threading.ManualResetEventSlim]::new($false)
    [AppDomain]::CurrentDomain.SetData('FcHelpExamplesExport', $exportLatch)

    # State an example assumes exists (written in its remarks), made before it runs.
    $script:given = @{
        'Wait-FcAsyncTask / Example 2: Wait for one task and fail the runbook if it did not succeed' =
            'Invoke-FcFunction export -Payload day -AsyncTaskId export_20261124 | Out-Null; [AppDomain]::CurrentDomain.GetData(''FcHelpExamplesExport'').Set()'
        'Stop-FcAsyncTask / Example 1: Stop a runaway export' =
            'Invoke-FcFunction export -Payload day -AsyncTaskId export_20261124 | Out-Null
             $deadline = [DateTime]::UtcNow.AddSeconds(30)
             while ((Get-FcAsyncTask export -TaskId export_20261124).Status -ne ''Running'' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }'
        'Start-FcEmulator / Example 4: Serve an HTTP function with JWT authentication' =
            # The token the example presents: an HS256 JWT signed with the trigger's secret, valid for an hour.
            '$b64 = { param([byte[]] $b) [Convert]::ToBase64String($b).TrimEnd(''='').Replace(''+'', ''-'').Replace(''/'', ''_'') }
             $head = & $b64 ([Text.Encoding]::UTF8.GetBytes(''{"alg":"HS256","typ":"JWT"}''))
             $claims = & $b64 ([Text.Encoding]::UTF8.GetBytes(''{"sub":"ops","exp":'' + [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds() + ''}''))
             $mac = [Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes(''dev-only-secret''))
             $token = "$head.$claims." + (& $b64 $mac.ComputeHash([Text.Encoding]::ASCII.GetBytes("$head.$claims")))'
        'Invoke-FcHttpTrigger / Example 3: Call a trigger URL with a JWT' =
            # The URL of the cloud''s profile-api trigger, and an HS256 JWT signed with that trigger''s secret.
            '$url = (Get-FcEmulator | Where-Object { $_.Endpoint -eq $PSDefaultParameterValues[''*-Fc*:Endpoint''] }).HttpTriggerUrls[''profile-api'']
             $b64 = { param([byte[]] $b) [Convert]::ToBase64String($b).TrimEnd(''='').Replace(''+'', ''-'').Replace(''/'', ''_'') }
             $head = & $b64 ([Text.Encoding]::UTF8.GetBytes(''{"alg":"HS256","typ":"JWT"}''))
             $claims = & $b64 ([Text.Encoding]::UTF8.GetBytes(''{"sub":"ops","exp":'' + [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds() + ''}''))
             $mac = [Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes(''dev-only-secret''))
             $token = "$head.$claims." + (& $b64 $mac.ComputeHash([Text.Encoding]::ASCII.GetBytes("$head.$claims")))'
        'Get-FcAsyncTask / Example 3: The ten most recent tasks started with a prefix, with their payloads' =
            '1..3 | Invoke-FcFunction ingest -AsyncTaskId { "ingest_$_" } | Wait-FcAsyncTask | Out-Null'
    }
    # The errors an example shows on purpose (FullyQualifiedErrorId prefixes); any other error fails the test.
    $script:expectedErrors = @{
        'Start-FcEmulator / Example 2: Emulate an FC 2.0 service with a failing function and an alias' = @('FcFunctionError')
        'Start-FcEmulator / Example 3: A canary alias and versions' = @('FcServiceError')   # 'beta' is not declared: FC's 404
    }

    # The folder the examples run in, with the files they read.
    $script:work = Join-Path $TestDrive 'work'
    $null = New-Item -ItemType Directory -Path (Join-Path $work 'events') -Force
    @('orderId,sku,qty', '1001,A-1,2', '1002,B-7,1', '1003,C-3,5') | Set-Content (Join-Path $work 'orders.csv')
    @('100', '200') | Set-Content (Join-Path $work 'disks.txt')
    1..25 | Set-Content (Join-Path $work 'pages.txt')   # the about topic's batch of 'thousands', kept small here
    1..25 | ForEach-Object { "photos/$_.jpg" } | Set-Content (Join-Path $work 'keys.txt')   # the batches of the help, kept small
    '{"id":"a"}' | Set-Content (Join-Path $work 'events/a.json')
    '{"id":"b"}' | Set-Content (Join-Path $work 'events/b.json')

    # Credential sources the examples name: the aliyun CLI profiles, STS (roles, OIDC) and the ECS metadata service.
    $script:savedHome = $env:HOME
    $script:fakeHome = Join-Path $TestDrive 'home'
    $null = New-Item -ItemType Directory -Path (Join-Path $fakeHome '.aliyun') -Force
    $env:HOME = $fakeHome; $env:USERPROFILE = $fakeHome
    $script:sts = Start-FcTestHttpFixture -Handler $StsHandler -State @{ AccountId = '1234567890123456' }
    $script:imds = Start-FcTestHttpFixture -Handler $ImdsHandler -State @{ Token = 'imds-token'; RoleName = 'ops' }
    $tokenFile = Join-Path $TestDrive 'oidc-token'
    Set-Content -Path $tokenFile -Value 'oidc-token-value' -NoNewline
    $script:environment = @{
        ALIBABA_CLOUD_STS_ENDPOINT      = $sts.Url
        FCINVOKE_ECS_METADATA_ENDPOINT  = $imds.Url
        ALIBABA_CLOUD_ROLE_ARN          = 'acs:ram::1234567890123456:role/fc-operator'
        ALIBABA_CLOUD_OIDC_PROVIDER_ARN = 'acs:ram::1234567890123456:oidc-provider/ack'
        ALIBABA_CLOUD_OIDC_TOKEN_FILE   = $tokenFile
    }
    foreach ($name in $environment.Keys) { Set-Item "env:$name" $environment[$name] }
    Remove-Item env:ALIBABA_CLOUD_ECS_METADATA_DISABLED

    function Start-FcTestCloud {
        # A fresh "cloud" for one example: an emulator whose key is in the environment and in every profile.
        $emu = Start-FcEmulator -Function $cloud -Alias $aliases -HttpTrigger $triggers
        $secret = Get-FcTestSecret $emu
        $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $emu.AccessKeyId
        $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = $secret
        $env:ALIBABA_CLOUD_REGION_ID = $emu.Region
        $env:ALIBABA_CLOUD_ACCOUNT_ID = $emu.AccountId
        $profiles = foreach ($name in 'default', 'prod', 'test', 'staging') {
            @{ name = $name; mode = 'AK'; access_key_id = $emu.AccessKeyId; access_key_secret = $secret; region_id = $emu.Region }
        }
        @{ current = 'default'; profiles = @($profiles); meta_path = '' } | ConvertTo-Json -Depth 5 | Set-Content (Join-Path $fakeHome '.aliyun/config.json')
        $sts.State.Emulator = $emu
        $imds.State.Emulator = $emu
        $emu
    }

    function Invoke-FcTestExample {
        # Runs one example's code in a fresh runspace; returns its errors and whether it ended with a terminating error.
        param([string] $Name, [string] $Code)
        $ownEmulator = $Code -match 'Start-FcEmulator'
        $running = @(Get-FcEmulator)
        $exportLatch.Reset()
        $cloud = if (-not $ownEmulator) { Start-FcTestCloud }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($ModulePath, $Folder, $Endpoint)
                Import-Module $ModulePath
                Set-Location $Folder
                $ProgressPreference = 'SilentlyContinue'
                if ($Endpoint) { $global:PSDefaultParameterValues['*-Fc*:Endpoint'] = $Endpoint }
            }).AddArgument($FcTestModulePath).AddArgument($work).AddArgument($cloud.Endpoint).Invoke()
            $ps.Commands.Clear()
            if ($cloud) { $null = $cloud | Connect-FcAccount }
            if ($given.ContainsKey($Name)) { $null = $ps.AddScript($given[$Name]).Invoke(); $ps.Commands.Clear(); $ps.Streams.ClearStreams() }
            $null = $ps.AddScript($Code)
            $handle = $ps.BeginInvoke()
            if (-not $handle.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(120))) { $ps.Stop(); throw "The example did not finish within 120 s." }
            $terminating = $null
            try { $null = $ps.EndInvoke($handle) } catch { $terminating = $_.Exception.InnerException ?? $_.Exception }
            [pscustomobject]@{ Terminating = $terminating; Errors = @($ps.Streams.Error) }
        }
        finally {
            $exportLatch.Set()   # releases an export still running before its emulator stops
            $ps.Dispose()
            Disconnect-FcAccount
            Get-FcEmulator | Where-Object { $_ -notin $running } | Stop-FcEmulator -WarningAction SilentlyContinue
        }
    }
}

AfterAll {
    Disconnect-FcAccount
    $exportLatch.Set()
    [AppDomain]::CurrentDomain.SetData('FcHelpExamplesExport', $null)
    $sts, $imds | Where-Object { $_ } | Stop-FcTestHttpFixture
    $names = @('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_REGION_ID', 'ALIBABA_CLOUD_ACCOUNT_ID')
    if ($environment) { $names += @($environment.Keys) }
    foreach ($name in $names) { Remove-Item "env:$name" -ErrorAction SilentlyContinue }
    $env:ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
    if ($savedHome) { $env:HOME = $savedHome; $env:USERPROFILE = $savedHome }
}

Describe 'The help''s examples' {
    It 'finds the examples of every cmdlet page, the about topic and the README' {
        $examples.Count | Should -BeGreaterThan 50
        @($examples | Where-Object Name -like 'about_FcInvoke / *').Count | Should -BeGreaterThan 8
        @($examples | Where-Object Name -like 'README / *').Count | Should -BeGreaterOrEqual 1
    }

    It 'runs <Name>' -ForEach $examples {
        $run = Invoke-FcTestExample -Name $Name -Code $Code
        $run.Terminating | Should -BeNullOrEmpty -Because "the example must run to its end:`n$Code"
        $allowed = if ($expectedErrors.ContainsKey($Name)) { $expectedErrors[$Name] } else { @() }
        $unexpected = @($run.Errors | Where-Object { $_.FullyQualifiedErrorId.Split(',')[0] -notin $allowed })
        $unexpected | Should -BeNullOrEmpty -Because ("the example writes no error it does not show on purpose:`n" + ($unexpected | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) -join "`n")
        foreach ($id in $allowed) { @($run.Errors | Where-Object { $_.FullyQualifiedErrorId -like "$id,*" }) | Should -Not -BeNullOrEmpty -Because "the example shows $id" }
    }
}
