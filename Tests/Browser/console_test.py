"""The console as an operator uses it, in headless Chromium (Tests/Browser/run).

The daemon is BrowserTests.swift's: CONSOLE_URL is where it listens, CENTRAL_TOKEN an
admin's token (operator `tester`), APPROVER_TOKEN an approver's (`checker`), ENTITY_TOKEN
the token of entity PAR-01, PASSWORD the password of `tester`, `checker` and the viewer `vera`.
Data is made through the API; then the browser signs in, filters, opens packages by their
label, cancels one with a comment, reinitializes one, corrects a refused edit form, and is shown
no button a viewer may not press. Every page is checked with axe: no serious or critical
violation. Exits non-zero on the first failure, saying which step.
"""

import json
import os
import sys
import urllib.request

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CONSOLE_URL"]
PASSWORD = os.environ["PASSWORD"]
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS") == "1"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def api(method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + os.environ[token])
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as answer:
        text = answer.read()
        return json.loads(text) if text else None


def package(body, *actions):
    """Creates a package as the admin; the admin submits, the approver decides."""
    created = api("POST", "/v1/packages", "CENTRAL_TOKEN", body)
    for action in actions:
        api("POST", f"/v1/packages/{created['id']}/{action}", "CENTRAL_TOKEN" if action == "submit" else "APPROVER_TOKEN", {})
    return created["id"]


def seed():
    summer = package(
        {"label": "Summer event", "type": "collaborative", "campaign_name": "summer", "campaign_folder": "/2027/summer"},
        "submit", "approve", "publish")
    api("POST", f"/v1/packages/{summer}/orders", "ENTITY_TOKEN", {"label": "Summer kit"})
    spring = package(
        {"label": "Spring sale", "type": "local", "campaign_name": "spring", "campaign_folder": "/2027/spring"},
        "submit", "approve", "publish")
    api("POST", f"/v1/packages/{spring}/orders", "ENTITY_TOKEN", {"label": "500 flyers"})
    winter = package(
        {"label": "Winter offer", "type": "local", "campaign_name": "winter", "campaign_folder": "/2027/winter"}, "submit")
    package({"label": "Autumn draft", "type": "local", "campaign_name": "autumn", "campaign_folder": "/2027/autumn"})
    gifts = package(
        {"label": "Gift cards", "type": "local", "campaign_name": "gifts", "campaign_folder": "/2027/gifts"},
        "submit", "approve", "publish")
    api("POST", f"/v1/packages/{gifts}/orders", "ENTITY_TOKEN", {"label": "200 gift cards"})
    return summer, spring, winter


class Console:
    def __init__(self):
        options = Options()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.implicitly_wait(0)
        self.checked = set()

    def step(self, text):
        print(f"browser: {text}", flush=True)

    def fail(self, text):
        print(f"browser: FAILED: {text}\n  at {self.driver.current_url}", flush=True)
        print(self.driver.page_source[:3000], flush=True)
        sys.exit(1)

    def expect(self, condition, text):
        if not condition:
            self.fail(text)

    def open(self, path):
        self.driver.get(BASE + path)
        self.accessible()

    def accessible(self):
        """axe on the page shown, once per kind of page: no serious or critical violation."""
        kind = self.driver.current_url.split("?")[0].rstrip("/0123456789")
        if kind in self.checked:
            return
        self.checked.add(kind)
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        self.expect(not bad, "axe: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in bad))

    def navigate(self, element):
        """Clicks a link or a submit button and waits for the next page to replace this one
        (a click returns before the browser has loaded what it leads to)."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, 15, poll_frequency=0.05).until(staleness_of(page), "the next page")
        WebDriverWait(self.driver, 15, poll_frequency=0.05).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete", "the page loaded")

    def click_link(self, text):
        self.navigate(self.driver.find_element(By.LINK_TEXT, text))
        self.accessible()

    def click_button(self, text):
        buttons = [b for b in self.driver.find_elements(By.TAG_NAME, "button") if b.text.strip() == text]
        self.expect(buttons, f"no button {text!r}")
        self.navigate(buttons[0])

    def buttons(self):
        return [b.text.strip() for b in self.driver.find_elements(By.TAG_NAME, "button")]

    def status(self):
        return self.driver.find_element(By.ID, "status").text

    def wait_status(self, wanted):
        # The page's script reloads it when its job is done; a reload does the same without it.
        def reached(driver):
            try:
                return self.status().startswith(wanted)
            except Exception:
                return False
        WebDriverWait(self.driver, 30, poll_frequency=0.2).until(reached, f"status {wanted}")

    def sign_in(self, name):
        self.open("/console/packages")
        self.expect("/console/login" in self.driver.current_url, "an anonymous visit leads to the sign-in")
        self.driver.find_element(By.ID, "name").send_keys(name)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.click_button("Sign in")
        self.expect(self.driver.current_url.endswith("/console/packages"), f"{name} is on Campaign packages after signing in")
        self.accessible()

    def sign_out(self):
        self.click_button("Sign out")


def main():
    summer, spring, winter = seed()
    console = Console()
    try:
        console.step("sign in as the approver checker")
        console.sign_in("checker")
        if SCREENSHOTS:
            console.driver.save_screenshot(os.path.join(ROOT, "docs", "console-packages.png"))

        console.step("filter: Pending approval")
        console.click_link("Pending approval")
        rows = console.driver.find_element(By.TAG_NAME, "tbody").text
        console.expect("Winter offer" in rows and "Autumn draft" not in rows, "Pending approval lists the pending package only")

        console.step("open Winter offer by its label")
        console.click_link("Winter offer")
        console.expect(console.driver.find_element(By.TAG_NAME, "h1").text == "Winter offer", "the dashboard of Winter offer")
        console.expect("Approve" in console.buttons(), "an approver may approve it")

        console.step("cancel Summer event: first without a comment, then with one")
        console.open(f"/console/packages/{summer}")
        if SCREENSHOTS:
            console.driver.save_screenshot(os.path.join(ROOT, "docs", "console-dashboard.png"))
        comment = console.driver.find_element(By.ID, "comment")
        comment.send_keys("   ")
        console.click_button("Cancel")
        error = console.driver.find_elements(By.ID, "comment-error")
        console.expect(error and "Comment" in error[0].text, "a blank comment is refused next to its field")
        console.accessible()
        console.expect(console.status().startswith("Published"), "a refused cancel changes nothing")
        comment = console.driver.find_element(By.ID, "comment")
        comment.clear()
        comment.send_keys("Recalled by legal")
        console.click_button("Cancel")
        console.wait_status("Cancelled")
        orders = console.driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=orders] tbody").text
        console.expect("cancelled" in orders, "the package's orders are cancelled")
        console.expect("Recalled by legal" in console.driver.page_source, "the comment is in the journal")

        console.step("reinitialize Spring sale")
        console.open(f"/console/packages/{spring}")
        console.click_link("Reinitialize the package to reuse it")
        console.click_button("OK")
        console.wait_status("Being edited")

        console.step("the admin tester edits Autumn draft: a date out of order is refused next to its field, then fixed")
        console.sign_out()
        console.sign_in("tester")
        console.click_link("Being edited")
        console.click_link("Autumn draft")
        console.click_link("Edit")
        for field, value in (("visible_from", "2027-09-10T09:00"), ("visible_until", "2027-09-01T09:00")):
            box = console.driver.find_element(By.ID, field)
            box.clear()
            box.send_keys(value)
        console.click_button("Save")
        error = console.driver.find_elements(By.ID, "visible_until-error")
        console.expect(error and error[0].text, "the date out of order is refused next to Visible until")
        console.expect(console.driver.find_element(By.ID, "visible_until").get_attribute("aria-invalid") == "true", "marked invalid")
        console.accessible()
        box = console.driver.find_element(By.ID, "visible_until")
        box.clear()
        box.send_keys("2027-10-01T09:00")
        console.click_button("Save")
        console.expect(console.driver.find_element(By.TAG_NAME, "h1").text == "Autumn draft", "back on the dashboard")
        console.expect("2027-10-01T09:00" in console.driver.page_source, "the new date is saved")

        console.step("the admin's pages: orders, an order, jobs, entities, operators, tokens (axe on each)")
        console.click_link("Campaign orders")
        console.click_link(console.driver.find_element(By.CSS_SELECTOR, "tbody a").text)
        for link in ("Failed jobs", "Entities", "Operators", "Tokens"):
            console.click_link(link)

        console.step("approve the pending orders in bulk: choose one, Approve, read the job's result")
        console.open("/console/orders?status=pending_approval")
        rows = console.driver.find_element(By.TAG_NAME, "tbody").text
        console.expect("200 gift cards" in rows, "the pending order is listed")
        console.driver.find_element(By.CSS_SELECTOR, "tbody input[type=checkbox]").click()
        console.click_button("Approve")
        WebDriverWait(console.driver, 30).until(lambda driver: driver.find_elements(By.ID, "changed"))
        console.expect(console.driver.find_element(By.ID, "changed").text == "1 order changed.", "the job says what it changed")
        console.accessible()

        console.step("sign out; the viewer vera sees no button she may not press")
        console.sign_out()
        console.sign_in("vera")
        console.open(f"/console/packages/{winter}")
        shown = console.buttons()
        console.expect("Approve" not in shown and "Cancel" not in shown and "Reject" not in shown, f"a viewer sees {shown}")
        console.expect("No action is open to you" in console.driver.page_source, "the viewer is told")
        console.step(f"done: {len(console.checked)} kinds of page checked with axe")
    finally:
        console.driver.quit()


if __name__ == "__main__":
    main()
