# The chosen-bytes loopback server (tests/fixtures/RawHttpFixture.cs, shared with the xunit tests), for the reliability
# tests: it answers each request with the bytes a test picks (framing faults, stalls, drops, HTML pages, odd JSON) and
# counts what reached it. Dot-source from BeforeAll, after Common.ps1.
if (-not ('FcInvoke.TestFixtures.RawHttpFixture' -as [type])) {
    Add-Type -Path (Join-Path $PSScriptRoot '../fixtures/RawHttpFixture.cs')
}

function New-FcTestRawFixture {
    # Replies in order, one per request; the last one answers every request after it.
    param([Parameter(Mandatory)] [object[]] $Reply)
    [FcInvoke.TestFixtures.RawHttpFixture]::new([FcInvoke.TestFixtures.RawReply[]]$Reply)
}

function Get-FcTestRawConnection {
    # The parameters that point a cmdlet at a raw fixture: splat them (@conn).
    param([Parameter(Mandatory)] $Fixture)
    @{
        Endpoint   = $Fixture.Endpoint
        Credential = [pscredential]::new('AK', (ConvertTo-SecureString 'SECRET' -AsPlainText -Force))
        AccountId  = '1'
        Region     = 'cn-hangzhou'
    }
}

function Get-FcTestRawJson {
    # A well-formed answer with a JSON body; "{n}" in the body becomes the request's number.
    param([int] $Status = 200, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Body)
    [FcInvoke.TestFixtures.RawReply]::Http($Status, $Body, 'application/json', [string[]]@())
}
