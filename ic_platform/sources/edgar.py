"""SEC EDGAR documents from the three kinds of source, each returning raw JSON bytes or parsed feeds.

- `EdgarClient` (live): `www.sec.gov` and `data.sec.gov` through the shared HTTP client, at most
  10 requests per second, with the declared User-Agent SEC requires ("Company contact@example.com",
  from `$EDGAR_USER_AGENT`).
- `EdgarFolder` (demo, or an archive unpacked into folders): `company_tickers.json`,
  `submissions/CIK##########.json`, `companyfacts/CIK##########.json` and full submissions
  `filings/<accession>.txt` (Form 4, 13F-HR) files.
- `EdgarZipArchive` (archive): EDGAR's nightly bulk `companyfacts.zip` and `submissions.zip`,
  read member by member without unpacking them to disk.
- `EdgarBulk` (live, a whole universe): the same two archives downloaded by the platform when they
  changed (conditional requests), the rest (ticker map, full filings) over the API: two downloads
  instead of two requests a company.
"""

import os
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

from ic_platform.sources.archives import read_member
from ic_platform.sources.documents import SourceFormatError, load_json, parse_xml
from ic_platform.sources.edgar_files import form_index_text, parse_form_index
from ic_platform.sources.edgar_submission import complete_submission_text
from ic_platform.sources.http import HttpClient, HttpError

USER_AGENT_ENV = "EDGAR_USER_AGENT"
# EDGAR's nightly bulk archives, on www.sec.gov (rebuilt about 03:00 New York)
BULK_ARCHIVES = {
    "companyfacts": "/Archives/edgar/daily-index/xbrl/companyfacts.zip",
    "submissions": "/Archives/edgar/daily-index/bulkdata/submissions.zip",
}
INDEX_LOOKBACK_DAYS = 10  # days before today searched for the newest published daily index
BULK_MAX_AGE_S = 12 * 3600  # a download younger than this is used without asking whether it changed
ATOM = "{http://www.w3.org/2005/Atom}"
FEED_TITLE = re.compile(r"^(?P<form>.+?) - (?P<name>.*) \((?P<cik>\d{10})\) \((?P<role>[^)]*)\)$")


def submissions_name(cik: int) -> str:
    return f"CIK{cik:010d}.json"


def merge_submission_pages(document: dict, pages: list[dict]) -> dict:
    """A submissions document whose `filings.recent` columns also hold the overflow pages' filings."""
    recent = {key: list(values) for key, values in document["filings"]["recent"].items()}
    for page in pages:
        for key in recent:
            recent[key].extend(page.get(key, [None] * len(page.get("accessionNumber", []))))
    return document | {"filings": {"recent": recent, "files": document["filings"].get("files", [])}}


def parse_current_filings(payload: bytes | str, source: str) -> list[dict]:
    """Entries of EDGAR's current-filings Atom feed: accession, form, cik, name, role, updated, link."""
    root = parse_xml(payload, source, "Atom feed")
    entries = []
    for entry in root.iter(f"{ATOM}entry"):
        title = (entry.findtext(f"{ATOM}title") or "").strip()
        match = FEED_TITLE.match(title)
        identifier = entry.findtext(f"{ATOM}id") or ""
        category = entry.find(f"{ATOM}category")
        link = entry.find(f"{ATOM}link")
        if not match or "accession-number=" not in identifier:
            raise SourceFormatError(f"{source}: feed entry {title!r} lacks a form, CIK or accession number")
        try:
            updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
        except ValueError as error:
            raise SourceFormatError(f"{source}: feed entry {title!r} has no readable update time") from error
        entries.append(
            {
                "accession": identifier.split("accession-number=")[1],
                "form": category.get("term") if category is not None else match["form"],
                "cik": int(match["cik"]),
                "name": match["name"],
                "role": match["role"],
                "updated": updated,
                "link": link.get("href") if link is not None else None,
            }
        )
    return entries


def _checked_json(source: str):
    """A `decode` that accepts a body only when it is well-formed JSON, and returns it as it is."""

    def check(body: bytes) -> bytes:
        load_json(body, source)
        return body

    return check


class NoEdgar:
    """SEC that is off: no documents (the universe then comes from the universe file alone)."""

    read_threads = 1
    parse_processes = 1

    def company_tickers(self) -> bytes:
        raise SourceFormatError("SEC is off: there is no ticker map; the universe file names the companies")

    def submissions(self, cik: int) -> dict | None:
        return None

    def companyfacts(self, cik: int) -> bytes | None:
        return None

    def filing_text(self, cik: int, accession: str) -> str | None:
        return None

    def form_index(self, day: date) -> str | None:
        return None

    def indexed_through(self) -> date | None:
        return None


class EdgarFolder:
    """EDGAR's files in a folder tree (the demo universe, or bulk archives unpacked): the ticker map,
    submissions, companyfacts, full filings and the form indexes (daily or quarterly)."""

    read_threads = 8  # files read at once by `read_ahead` (the reads wait on the disk)
    parse_processes = os.cpu_count() or 1  # worker processes reading and parsing many documents

    def __init__(self, root: Path):
        self.root = root
        self._quarters: dict[str, dict[date, list[dict]]] = {}

    def _read(self, *parts: str) -> bytes | None:
        path = self.root.joinpath(*parts)
        return path.read_bytes() if path.exists() else None

    def company_tickers(self) -> bytes:
        payload = self._read("company_tickers.json")
        if payload is None:
            raise FileNotFoundError(f"{self.root / 'company_tickers.json'} is missing")
        return payload

    def submissions(self, cik: int) -> dict | None:
        payload = self._read("submissions", submissions_name(cik))
        if payload is None:
            return None
        document = load_json(payload, submissions_name(cik))
        pages = [
            load_json(self._read("submissions", f["name"]) or b"{}", f["name"])
            for f in document["filings"].get("files", [])
        ]
        return merge_submission_pages(document, pages)

    def companyfacts(self, cik: int) -> bytes | None:
        return self._read("companyfacts", submissions_name(cik))

    def companyfacts_ciks(self) -> list[int]:
        return sorted(int(p.stem[3:]) for p in (self.root / "companyfacts").glob("CIK*.json"))

    def filing_text(self, cik: int, accession: str) -> str | None:
        """The full submission text of a filing, None when the folder does not hold it."""
        path = self.root / "filings" / f"{accession}.txt"
        return path.read_text(encoding="latin-1") if path.exists() else None

    def form_index(self, day: date) -> str | None:
        """The day's form index: `daily-index/form.YYYYMMDD.idx` (the demo's layout) or
        `daily-index/YYYY/QTRn/form.YYYYMMDD.idx` (EDGAR's, as downloaded), else the day's lines
        of the quarter's full index `full-index/YYYY/QTRn/form.idx`; None when none lists the day."""
        quarter = f"{day:%Y}/QTR{(day.month - 1) // 3 + 1}"
        for path in (
            self.root / "daily-index" / f"form.{day:%Y%m%d}.idx",
            self.root / "daily-index" / quarter / f"form.{day:%Y%m%d}.idx",
        ):
            if path.exists():
                return path.read_text(encoding="latin-1")
        filings = self._quarter_index(quarter).get(day)
        return form_index_text(day, filings) if filings else None

    def _quarter_index(self, quarter: str) -> dict[date, list[dict]]:
        """The filings of a quarterly full index by filing day (read once), empty without one."""
        if quarter not in self._quarters:
            path = self.root / "full-index" / quarter / "form.idx"
            filings = parse_form_index(path.read_text(encoding="latin-1"), str(path)) if path.exists() else []
            by_day: dict[date, list[dict]] = {}
            for filing in filings:
                by_day.setdefault(filing["filed"], []).append(filing)
            self._quarters[quarter] = by_day
        return self._quarters[quarter]

    def indexed_through(self) -> date | None:
        """The newest day a daily index or a quarterly full index in the folder lists (None: neither)."""
        daily = [p.name[5:13] for p in (self.root / "daily-index").rglob("form.*.idx")]
        days = [datetime.strptime(d, "%Y%m%d").date() for d in daily]
        for path in (self.root / "full-index").glob("*/QTR*/form.idx"):
            days += list(self._quarter_index(f"{path.parent.parent.name}/{path.parent.name}"))
        return max(days) if days else None


class EdgarZipArchive(EdgarFolder):
    """EDGAR's bulk `companyfacts.zip` and `submissions.zip` in a folder (with `company_tickers.json`),
    read in place: a member larger than 512 MiB or expanding like a decompression bomb is refused
    (`archives.read_member`).

    Each archive's directory (about a million members for submissions) is read once and the archive
    kept open; reading members from several threads is safe (zipfile locks the shared file)."""

    def __init__(self, root: Path):
        super().__init__(root)
        self._archives: dict[str, zipfile.ZipFile] = {}

    def __getstate__(self) -> dict:  # worker processes open the archives again
        return self.__dict__ | {"_archives": {}}

    def _archive(self, name: str) -> zipfile.ZipFile:
        if name not in self._archives:
            self._archives[name] = zipfile.ZipFile(self.root / f"{name}.zip")
        return self._archives[name]

    def _read(self, *parts: str) -> bytes | None:
        if len(parts) == 1:
            return super()._read(*parts)
        return read_member(self._archive(parts[0]), parts[1], str(self.root / f"{parts[0]}.zip"))

    def companyfacts_ciks(self) -> list[int]:
        return sorted(
            int(name[3:13])
            for name in self._archive("companyfacts").namelist()
            if name.startswith("CIK") and name.endswith(".json")
        )


def _whole_zip(path: Path) -> None:
    """Raise ValueError unless `path` is a zip archive whose directory can be read."""
    try:
        with zipfile.ZipFile(path) as archive:
            if not archive.namelist():
                raise ValueError(f"{path.name} holds no files")
    except zipfile.BadZipFile as error:
        raise ValueError(f"{path.name} is not a whole zip archive ({error})") from error


class EdgarClient:
    """Live EDGAR over HTTP; the base URLs are configurable so tests point them at a local server."""

    read_threads = 1  # one request at a time under the rate limiter
    parse_processes = 1

    def __init__(
        self,
        user_agent: str,
        www_url: str = "https://www.sec.gov",
        data_url: str = "https://data.sec.gov",
        cache_dir: Path | None = None,
    ):
        if not user_agent or "@" not in user_agent:
            raise ValueError(
                "EDGAR requires a User-Agent with a company name and contact e-mail: set "
                f"{USER_AGENT_ENV}, e.g. 'Acme Research ops@acme.com'"
            )
        headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}
        # one rate group for both hosts: SEC counts requests per client, not per host
        self.www, self.data = (
            HttpClient(url, headers=headers, max_per_second=10, cache_dir=cache_dir, rate_group="sec.gov")
            for url in (www_url, data_url)
        )

    def company_tickers(self) -> bytes:
        return self.www.get("/files/company_tickers.json", max_age=86400, decode=_checked_json("company_tickers.json"))

    def submissions(self, cik: int) -> dict | None:
        try:
            name = submissions_name(cik)
            document = self.data.get(f"/submissions/{name}", max_age=3600, decode=lambda body: load_json(body, name))
        except HttpError as error:
            if error.status == 404:
                return None
            raise
        pages = [
            self.data.get(f"/submissions/{f['name']}", decode=lambda body, name=f["name"]: load_json(body, name))
            for f in document["filings"].get("files", [])
        ]
        return merge_submission_pages(document, pages)

    def companyfacts(self, cik: int) -> bytes | None:
        try:
            name = f"companyfacts {submissions_name(cik)}"
            return self.data.get(
                f"/api/xbrl/companyfacts/{submissions_name(cik)}", max_age=3600, decode=_checked_json(name)
            )
        except HttpError as error:
            if error.status == 404:
                return None
            raise

    def filing_text(self, cik: int, accession: str) -> str | None:
        """The full submission text `Archives/edgar/data/<cik>/<accession without dashes>/<accession>.txt`."""
        try:
            return self.www.get(
                f"/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{accession}.txt",
                max_age=None,
                decode=lambda body: complete_submission_text(body, accession),
            )
        except HttpError as error:
            if error.status == 404:
                return None
            raise

    def form_index(self, day: date) -> str | None:
        """`Archives/edgar/daily-index/<year>/QTR<n>/form.YYYYMMDD.idx` (None on a 404: no business day,
        or not yet published), cached for good once its day is over."""
        path = f"/Archives/edgar/daily-index/{day.year}/QTR{(day.month - 1) // 3 + 1}/form.{day:%Y%m%d}.idx"
        try:
            return self.www.get(
                path, max_age=None if day < date.today() else 0, decode=lambda body: body.decode("latin-1")
            )
        except HttpError as error:
            if error.status in (403, 404):
                return None
            raise

    def indexed_through(self) -> date | None:
        """The latest day before today whose index EDGAR has published (it does once the day is
        over; weekends and holidays have none), looking back INDEX_LOOKBACK_DAYS; found once per
        client."""
        if not hasattr(self, "_indexed_through"):
            days = (date.today() - timedelta(days=back) for back in range(1, INDEX_LOOKBACK_DAYS + 1))
            self._indexed_through = next((day for day in days if self.form_index(day) is not None), None)
        return self._indexed_through

    def current_filings(self, form_type: str = "", start: int = 0, count: int = 100) -> list[dict]:
        """One page of the current-filings feed, newest first (never cached)."""
        params = {
            "action": "getcurrent",
            "type": form_type,
            "owner": "include",
            "start": start,
            "count": count,
            "output": "atom",
        }
        return self.www.get(
            "/cgi-bin/browse-edgar",
            params=params,
            max_age=0,
            decode=lambda body: parse_current_filings(body, "current filings feed"),
        )


class EdgarBulk:
    """Live EDGAR for a whole universe: submissions and companyfacts from the nightly bulk archives,
    downloaded into `folder` when they changed since the last download (EDGAR answers 304 when not),
    and the ticker map and full filings over the API."""

    read_threads = EdgarFolder.read_threads  # the archives are local files
    parse_processes = 1  # full filings still come one request at a time

    def __init__(self, client: EdgarClient, folder: Path):
        for name, path in BULK_ARCHIVES.items():
            client.www.download(path, folder / f"{name}.zip", max_age=BULK_MAX_AGE_S, check=_whole_zip)
        self.client, self.archive = client, EdgarZipArchive(folder)

    def company_tickers(self) -> bytes:
        return self.client.company_tickers()

    def submissions(self, cik: int) -> dict | None:
        return self.archive.submissions(cik)

    def companyfacts(self, cik: int) -> bytes | None:
        return self.archive.companyfacts(cik)

    def filing_text(self, cik: int, accession: str) -> str | None:
        return self.client.filing_text(cik, accession)

    def form_index(self, day: date) -> str | None:
        return self.client.form_index(day)

    def indexed_through(self) -> date | None:
        return self.client.indexed_through()
